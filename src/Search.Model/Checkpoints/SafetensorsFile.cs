using System.IO.MemoryMappedFiles;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Search.Model.Checkpoints;

/// <summary>One tensor's header entry: dtype as stored, shape, and its byte range in the data section.</summary>
public sealed record SafetensorsEntry(string Name, string Dtype, long[] Shape, long Begin, long End);

/// <summary>
/// A memory-mapped <c>.safetensors</c> file: an 8-byte little-endian header length, a JSON header,
/// then raw little-endian tensor bytes. Tensors are copied once from the mapping into tensor
/// memory (no intermediate managed arrays). Every structural problem is a one-line error naming the file.
/// </summary>
public sealed unsafe class SafetensorsFile : IDisposable
{
    private readonly MemoryMappedFile map;
    private readonly MemoryMappedViewAccessor view;
    private readonly byte* basePtr;
    private readonly long dataStart;

    public string Path { get; }
    public IReadOnlyDictionary<string, SafetensorsEntry> Entries { get; }

    private SafetensorsFile(string path, MemoryMappedFile map, MemoryMappedViewAccessor view, byte* basePtr,
        long dataStart, Dictionary<string, SafetensorsEntry> entries)
    {
        Path = path; this.map = map; this.view = view; this.basePtr = basePtr; this.dataStart = dataStart; Entries = entries;
    }

    public static SafetensorsFile Open(string path)
    {
        if (!File.Exists(path)) throw new UserInputException($"{path}: safetensors file not found");
        long length = new FileInfo(path).Length;
        if (length < 8) throw new UserInputException($"{path}: truncated safetensors file ({length} bytes, no header)");
        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        var view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
        byte* ptr = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref ptr);
        ptr += view.PointerOffset;
        try
        {
            ulong headerLen = *(ulong*)ptr;
            if (headerLen > (ulong)(length - 8))
                throw new UserInputException(
                    $"{path}: truncated or corrupt safetensors file (header of {headerLen} bytes, file has {length})");
            var header = new ReadOnlySpan<byte>(ptr + 8, (int)headerLen);
            long dataStart = 8 + (long)headerLen;
            var entries = ParseHeader(path, header, length - dataStart);
            return new SafetensorsFile(path, map, view, ptr, dataStart, entries);
        }
        catch
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
            view.Dispose(); map.Dispose();
            throw;
        }
    }

    private static Dictionary<string, SafetensorsEntry> ParseHeader(string path, ReadOnlySpan<byte> header, long dataLength)
    {
        var entries = new Dictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(header.ToArray());
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__") continue;
                var e = prop.Value;
                string dtype = e.GetProperty("dtype").GetString() ?? "";
                long[] shape = e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
                var offs = e.GetProperty("data_offsets").EnumerateArray().Select(x => x.GetInt64()).ToArray();
                if (offs.Length != 2 || offs[0] < 0 || offs[1] < offs[0])
                    throw new UserInputException($"{path}: tensor '{prop.Name}' has invalid data_offsets");
                if (offs[1] > dataLength)
                    throw new UserInputException(
                        $"{path}: truncated safetensors file (tensor '{prop.Name}' ends at byte {offs[1]} of a {dataLength}-byte data section)");
                long expected = shape.Aggregate(1L, (a, b) => a * b) * ElementSize(path, prop.Name, dtype);
                if (expected != offs[1] - offs[0])
                    throw new UserInputException(
                        $"{path}: tensor '{prop.Name}' has {offs[1] - offs[0]} bytes but shape [{string.Join(",", shape)}] {dtype} needs {expected}");
                entries[prop.Name] = new SafetensorsEntry(prop.Name, dtype, shape, offs[0], offs[1]);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new UserInputException($"{path}: corrupt safetensors header ({e.Message.Split('\n')[0]})");
        }
        return entries;
    }

    internal static int ElementSize(string path, string name, string dtype) => dtype switch
    {
        "F32" or "I32" => 4,
        "F16" or "BF16" or "I16" => 2,
        "F64" or "I64" => 8,
        "U8" or "I8" or "BOOL" => 1,
        _ => throw new UserInputException($"{path}: tensor '{name}' has unsupported dtype '{dtype}'"),
    };

    internal static ScalarType ToScalarType(string dtype) => dtype switch
    {
        "F32" => ScalarType.Float32,
        "F16" => ScalarType.Float16,
        "BF16" => ScalarType.BFloat16,
        "F64" => ScalarType.Float64,
        "I64" => ScalarType.Int64,
        "I32" => ScalarType.Int32,
        "I16" => ScalarType.Int16,
        "I8" => ScalarType.Int8,
        "U8" => ScalarType.Byte,
        "BOOL" => ScalarType.Bool,
        _ => throw new ArgumentException($"unsupported safetensors dtype {dtype}"),
    };

    internal static string ToDtypeName(ScalarType t) => t switch
    {
        ScalarType.Float32 => "F32",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Float64 => "F64",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16",
        ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new ArgumentException($"dtype {t} cannot be stored in safetensors"),
    };

    /// <summary>Copies a tensor out of the mapping, converted to <paramref name="dtype"/> when given.</summary>
    public Tensor Read(string name, ScalarType? dtype = null)
    {
        if (!Entries.TryGetValue(name, out var e))
            throw new UserInputException($"{Path}: tensor '{name}' not found");
        var stored = ToScalarType(e.Dtype);
        var t = ReadRaw(e, stored);
        if (dtype is ScalarType d && d != stored)
        {
            var converted = t.to_type(d);
            t.Dispose();
            return converted;
        }
        return t;
    }

    private const long MaxSpanBytes = int.MaxValue;

    private readonly Dictionary<ScalarType, Tensor> mappedWhole = new();

    /// <summary>
    /// The tensor as a zero-copy view of the file (memory-mapped, copy-on-write, paged in on use),
    /// or null when its bytes cannot be viewed in place (offset not aligned to its element size).
    /// The view keeps the mapping alive after this file object is disposed.
    /// </summary>
    public Tensor? TryView(string name)
    {
        if (!Entries.TryGetValue(name, out var e)) throw new UserInputException($"{Path}: tensor '{name}' not found");
        var dtype = ToScalarType(e.Dtype);
        int size = ElementSize(Path, name, e.Dtype);
        long start = dataStart + e.Begin;
        if (start % size != 0) return null;
        if (!mappedWhole.TryGetValue(dtype, out var whole))
        {
            // The whole file as one 1-D tensor of this dtype: torch maps it MAP_PRIVATE, nothing is read yet.
            long elements = new FileInfo(Path).Length / size;
            mappedWhole[dtype] = whole = from_file(Path, shared: false, size: elements, dtype: dtype);
        }
        long count = e.Shape.Aggregate(1L, (a, b) => a * b);
        using var flat = whole.narrow(0, start / size, count);
        return flat.view(e.Shape);
    }

    /// <summary>One copy from the mapped page cache into tensor memory (row blocks for tensors over 2 GiB).</summary>
    private Tensor ReadRaw(SafetensorsEntry e, ScalarType stored)
    {
        long n = e.End - e.Begin;
        byte* src = basePtr + dataStart + e.Begin;
        if (n <= MaxSpanBytes)
        {
            var t = empty(e.Shape, stored);
            if (n > 0) new ReadOnlySpan<byte>(src, (int)n).CopyTo(t.bytes);
            return t;
        }
        long rowBytes = n / e.Shape[0];
        long rowsPerBlock = Math.Max(1, MaxSpanBytes / rowBytes);
        var blocks = new List<Tensor>();
        try
        {
            for (long r = 0; r < e.Shape[0]; r += rowsPerBlock)
            {
                long rows = Math.Min(rowsPerBlock, e.Shape[0] - r);
                var shape = (long[])e.Shape.Clone();
                shape[0] = rows;
                var block = empty(shape, stored);
                blocks.Add(block);
                new ReadOnlySpan<byte>(src + r * rowBytes, (int)(rows * rowBytes)).CopyTo(block.bytes);
            }
            return cat(blocks, 0);
        }
        finally
        {
            foreach (var b in blocks) b.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var whole in mappedWhole.Values) whole.Dispose(); // views taken from it keep the mapping alive
        mappedWhole.Clear();
        view.SafeMemoryMappedViewHandle.ReleasePointer();
        view.Dispose();
        map.Dispose();
    }

    /// <summary>Writes tensors (any device; copied to CPU contiguous) as one safetensors file.</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        var list = tensors.ToList();
        using var writer = new SafetensorsWriter(path, list.Select(kv => new SafetensorsWriter.Entry(kv.Key, kv.Value.dtype, kv.Value.shape)).ToList());
        foreach (var (name, t) in list) writer.Write(name, t);
        writer.Complete();
    }
}

using System.Text;
using static TorchSharp.torch;

namespace Search.Model.Export;

/// <summary>
/// Collects GGUF metadata and tensors, then writes the v3 container: header (magic, version,
/// tensor count, kv count), key/values, tensor infos (name, dims in ggml order — innermost first —,
/// type, offset into the data section), zero padding to 32 bytes, then each tensor's bytes padded to
/// 32. Tensors are produced one at a time while writing, so a model larger than spare RAM streams out.
/// </summary>
internal sealed class GgufBuilder
{
    private readonly List<(string Key, GgufValueType Type, object Value, GgufValueType ElementType)> metadata = [];
    private readonly List<PendingTensor> tensors = [];
    private readonly HashSet<string> names = new(StringComparer.Ordinal);

    /// <param name="Shape">PyTorch order ([out, in] for a linear weight); written reversed.</param>
    /// <param name="Produce">Makes the tensor when its bytes are due; converted to <paramref name="Type"/>'s dtype.</param>
    private sealed record PendingTensor(string Name, long[] Shape, GgmlType Type, Func<Tensor> Produce)
    {
        public long Bytes => Shape.Aggregate(1L, (a, b) => a * b) * (Type == GgmlType.F32 ? 4 : 2);
    }

    public IReadOnlyList<string> TensorNames => tensors.Select(t => t.Name).ToList();

    public void Add(string key, string value) => AddScalar(key, GgufValueType.String, value);
    public void Add(string key, uint value) => AddScalar(key, GgufValueType.UInt32, value);
    public void Add(string key, float value) => AddScalar(key, GgufValueType.Float32, value);
    public void Add(string key, bool value) => AddScalar(key, GgufValueType.Bool, value);
    public void AddArray(string key, IReadOnlyList<string> values) => AddArrayOf(key, GgufValueType.String, values);
    public void AddArray(string key, IReadOnlyList<float> values) => AddArrayOf(key, GgufValueType.Float32, values);
    public void AddArray(string key, IReadOnlyList<int> values) => AddArrayOf(key, GgufValueType.Int32, values);

    public void AddTensor(string name, long[] shape, GgmlType type, Func<Tensor> produce)
    {
        if (!names.Add(name)) throw new InvalidOperationException($"GGUF tensor '{name}' added twice");
        tensors.Add(new PendingTensor(name, shape, type, produce));
    }

    private void AddScalar(string key, GgufValueType type, object value) => AddEntry(key, type, value, type);

    private void AddArrayOf(string key, GgufValueType elementType, object values) =>
        AddEntry(key, GgufValueType.Array, values, elementType);

    private void AddEntry(string key, GgufValueType type, object value, GgufValueType elementType)
    {
        if (metadata.Any(m => m.Key == key)) throw new InvalidOperationException($"GGUF key '{key}' added twice");
        metadata.Add((key, type, value, elementType));
    }

    /// <summary>Writes to a temporary file beside <paramref name="path"/>, then renames it into place.</summary>
    public void Write(string path)
    {
        string tmp = path + ".tmp";
        try
        {
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            using (var w = new BinaryWriter(fs, Encoding.UTF8, leaveOpen: true)) // BinaryWriter is little-endian everywhere
            {
                w.Write(GgufFormat.Magic);
                w.Write(GgufFormat.Version);
                w.Write((ulong)tensors.Count);
                w.Write((ulong)metadata.Count);
                foreach (var (key, type, value, elementType) in metadata)
                {
                    WriteString(w, key);
                    w.Write((uint)type);
                    if (type == GgufValueType.Array) WriteArray(w, elementType, value);
                    else WriteValue(w, type, value);
                }
                long offset = 0;
                foreach (var t in tensors)
                {
                    WriteString(w, t.Name);
                    w.Write((uint)t.Shape.Length);
                    foreach (long dim in t.Shape.Reverse()) w.Write((ulong)dim);
                    w.Write((uint)t.Type);
                    w.Write((ulong)offset);
                    offset = GgufFormat.Pad(offset + t.Bytes);
                }
                w.Flush();
                PadTo(fs, GgufFormat.Pad(fs.Position));
                long dataStart = fs.Position;
                foreach (var t in tensors)
                {
                    WriteTensor(fs, t);
                    PadTo(fs, dataStart + GgufFormat.Pad(fs.Position - dataStart));
                }
            }
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    private static void WriteTensor(FileStream fs, PendingTensor t)
    {
        using var scope = NewDisposeScope();
        var dtype = t.Type == GgmlType.F32 ? ScalarType.Float32 : ScalarType.Float16;
        var c = t.Produce().detach().to(dtype, CPU).contiguous(); // [shape], row-major = ggml ne[0] innermost
        if (!c.shape.SequenceEqual(t.Shape))
            throw new InvalidOperationException($"GGUF tensor '{t.Name}' was declared [{string.Join(", ", t.Shape)}], produced [{string.Join(", ", c.shape)}]");
        // Spans are int-indexed: write large tensors in row blocks of at most 256 MiB.
        var flat = c.reshape(-1);
        long n = flat.shape[0], perBlock = (256L << 20) / c.element_size();
        for (long start = 0; start < n; start += perBlock)
        {
            using var block = flat.narrow(0, start, Math.Min(perBlock, n - start)).contiguous();
            fs.Write(block.bytes);
        }
    }

    private static void PadTo(Stream s, long position)
    {
        while (s.Position < position) s.WriteByte(0);
    }

    private static void WriteString(BinaryWriter w, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }

    private static void WriteValue(BinaryWriter w, GgufValueType type, object value)
    {
        switch (type)
        {
            case GgufValueType.String: WriteString(w, (string)value); break;
            case GgufValueType.UInt32: w.Write((uint)value); break;
            case GgufValueType.Int32: w.Write((int)value); break;
            case GgufValueType.Float32: w.Write((float)value); break;
            case GgufValueType.Bool: w.Write((byte)((bool)value ? 1 : 0)); break;
            default: throw new ArgumentOutOfRangeException(nameof(type), type, "not written by this builder");
        }
    }

    private static void WriteArray(BinaryWriter w, GgufValueType elementType, object values)
    {
        var list = (System.Collections.IList)values;
        w.Write((uint)elementType);
        w.Write((ulong)list.Count);
        foreach (var v in list) WriteValue(w, elementType, v!);
    }
}

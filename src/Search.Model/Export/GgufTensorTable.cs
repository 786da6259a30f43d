using System.Text;

namespace Search.Model.Export;

/// <summary>One tensor of a GGUF file as its table states it.</summary>
/// <param name="Dims">ggml order, innermost first: <c>Dims[0]</c> is the row length a quantizer blocks
/// (a linear weight [out, in] is stored as [in, out]).</param>
/// <param name="Bytes">Bytes on disk up to the next tensor (alignment padding included).</param>
public sealed record GgufTensorEntry(string Name, IReadOnlyList<long> Dims, uint Type, long Offset, long Bytes)
{
    public long RowLength => Dims[0];
    public bool IsMatrix => Dims.Count >= 2;
    public string TypeName => GgmlTypes.Name(Type);
    public string Shape => string.Join(" x ", Dims);
}

/// <summary>
/// The header, the scalar metadata and the tensor table of a GGUF v2/v3 file — what a file says it
/// holds, without reading tensor data — to read back what llama.cpp's quantizer wrote. Arrays in
/// the metadata are skipped (their lengths are in the header); only scalar values are kept.
/// </summary>
public sealed class GgufTensorTable
{
    public IReadOnlyDictionary<string, object> Metadata { get; }
    public IReadOnlyList<GgufTensorEntry> Tensors { get; }
    public long FileBytes { get; }

    public string Architecture => Metadata.TryGetValue("general.architecture", out var a) ? (string)a : "";

    /// <summary>general.file_type (llama_ftype), or null when absent.</summary>
    public uint? FileType => Metadata.TryGetValue("general.file_type", out var t) ? Convert.ToUInt32(t) : null;

    private GgufTensorTable(Dictionary<string, object> metadata, List<GgufTensorEntry> tensors, long fileBytes)
    {
        Metadata = metadata;
        Tensors = tensors;
        FileBytes = fileBytes;
    }

    public GgufTensorEntry this[string name] => Tensors.FirstOrDefault(t => t.Name == name)
                                               ?? throw new KeyNotFoundException($"GGUF tensor '{name}' not in the table");

    public static GgufTensorTable Read(string path)
    {
        if (!File.Exists(path)) throw new UserInputException($"{path}: GGUF file not found");
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var r = new BinaryReader(fs, Encoding.UTF8);
        try
        {
            if (r.ReadUInt32() != GgufFormat.Magic) throw new UserInputException($"{path}: not a GGUF file (no GGUF magic)");
            uint version = r.ReadUInt32();
            if (version is < 2 or > 3) throw new UserInputException($"{path}: GGUF version {version} is not supported (2 or 3)");
            ulong tensorCount = r.ReadUInt64(), kvCount = r.ReadUInt64();
            var metadata = new Dictionary<string, object>(StringComparer.Ordinal);
            for (ulong i = 0; i < kvCount; i++)
            {
                string key = ReadString(r);
                var type = (GgufValueType)r.ReadUInt32();
                if (type == GgufValueType.Array) SkipArray(r);
                else metadata[key] = ReadScalar(r, type);
            }
            var infos = new List<(string Name, long[] Dims, uint Type, long Offset)>();
            for (ulong i = 0; i < tensorCount; i++)
            {
                string name = ReadString(r);
                uint dims = r.ReadUInt32();
                var shape = Enumerable.Range(0, (int)dims).Select(_ => checked((long)r.ReadUInt64())).ToArray();
                infos.Add((name, shape, r.ReadUInt32(), checked((long)r.ReadUInt64())));
            }
            long alignment = metadata.TryGetValue("general.alignment", out var a) ? Convert.ToInt64(a) : GgufFormat.Alignment;
            long dataStart = (fs.Position + alignment - 1) / alignment * alignment;
            long dataBytes = fs.Length - dataStart;
            // A tensor's bytes: from its offset to the next tensor's (or the end of the file).
            var ends = infos.Select(t => t.Offset).Append(dataBytes).Distinct().Order().ToList();
            var tensors = infos.Select(t => new GgufTensorEntry(t.Name, t.Dims, t.Type, t.Offset,
                ends.First(e => e > t.Offset) - t.Offset)).ToList();
            return new GgufTensorTable(metadata, tensors, fs.Length);
        }
        catch (EndOfStreamException)
        {
            throw new UserInputException($"{path}: GGUF file is cut short");
        }
        catch (Exception e) when (e is InvalidDataException or OverflowException)
        {
            throw new UserInputException($"{path}: not a readable GGUF file ({e.Message})");
        }
    }

    private static string ReadString(BinaryReader r) => Encoding.UTF8.GetString(r.ReadBytes(checked((int)r.ReadUInt64())));

    private static object ReadScalar(BinaryReader r, GgufValueType type) => type switch
    {
        GgufValueType.UInt8 => r.ReadByte(),
        GgufValueType.Int8 => r.ReadSByte(),
        GgufValueType.UInt16 => r.ReadUInt16(),
        GgufValueType.Int16 => r.ReadInt16(),
        GgufValueType.UInt32 => r.ReadUInt32(),
        GgufValueType.Int32 => r.ReadInt32(),
        GgufValueType.Float32 => r.ReadSingle(),
        GgufValueType.Bool => r.ReadByte() != 0,
        GgufValueType.String => ReadString(r),
        GgufValueType.UInt64 => r.ReadUInt64(),
        GgufValueType.Int64 => r.ReadInt64(),
        GgufValueType.Float64 => r.ReadDouble(),
        _ => throw new InvalidDataException($"unknown GGUF value type {(uint)type}"),
    };

    private static void SkipArray(BinaryReader r)
    {
        var element = (GgufValueType)r.ReadUInt32();
        ulong count = r.ReadUInt64();
        for (ulong i = 0; i < count; i++)
        {
            if (element == GgufValueType.Array) SkipArray(r);
            else ReadScalar(r, element);
        }
    }
}

using System.Text;

namespace Search.Tests.Export;

/// <summary>
/// A GGUF v3 reader written from the format description alone (gguf-py constants, ggml docs),
/// independent of our writer, so layout tests check the file and not the writer against itself.
/// Reads every key/value, every tensor info, and float32/float16 tensor data.
/// </summary>
internal sealed class GgufTestReader
{
    public sealed record TensorInfo(string Name, ulong[] Dims, uint Type, ulong Offset);

    public uint Version { get; }
    public Dictionary<string, (uint Type, object Value)> Metadata { get; } = new(StringComparer.Ordinal);
    public List<TensorInfo> Tensors { get; } = [];
    public long DataStart { get; }
    public long FileLength { get; }
    private readonly byte[] bytes;

    public GgufTestReader(string path)
    {
        bytes = File.ReadAllBytes(path);
        FileLength = bytes.Length;
        using var r = new BinaryReader(new MemoryStream(bytes));
        if (Encoding.ASCII.GetString(r.ReadBytes(4)) != "GGUF") throw new InvalidDataException("no GGUF magic");
        Version = r.ReadUInt32();
        ulong tensorCount = r.ReadUInt64(), kvCount = r.ReadUInt64();
        for (ulong i = 0; i < kvCount; i++)
        {
            string key = ReadString(r);
            uint type = r.ReadUInt32();
            Metadata[key] = (type, ReadValue(r, type));
        }
        for (ulong i = 0; i < tensorCount; i++)
        {
            string name = ReadString(r);
            uint nDims = r.ReadUInt32();
            var dims = Enumerable.Range(0, (int)nDims).Select(_ => r.ReadUInt64()).ToArray();
            Tensors.Add(new TensorInfo(name, dims, r.ReadUInt32(), r.ReadUInt64()));
        }
        long alignment = Metadata.TryGetValue("general.alignment", out var a) ? (uint)a.Value : 32;
        DataStart = (r.BaseStream.Position + alignment - 1) / alignment * alignment;
    }

    public T Value<T>(string key) => (T)Metadata[key].Value;

    /// <summary>Tensor data as float32 in row-major PyTorch order ([dims reversed]).</summary>
    public float[] Read(string name)
    {
        var t = Tensors.Single(x => x.Name == name);
        long n = t.Dims.Aggregate(1L, (p, d) => p * (long)d);
        long start = DataStart + (long)t.Offset;
        var result = new float[n];
        for (long i = 0; i < n; i++)
            result[i] = t.Type switch
            {
                0 => BitConverter.ToSingle(bytes, (int)(start + 4 * i)),
                1 => (float)BitConverter.ToHalf(bytes, (int)(start + 2 * i)),
                _ => throw new InvalidDataException($"type {t.Type}"),
            };
        return result;
    }

    public static long ElementSize(uint type) => type == 0 ? 4 : 2;

    private static string ReadString(BinaryReader r) => Encoding.UTF8.GetString(r.ReadBytes((int)r.ReadUInt64()));

    private static object ReadValue(BinaryReader r, uint type) => type switch
    {
        0 => r.ReadByte(),
        1 => r.ReadSByte(),
        2 => r.ReadUInt16(),
        3 => r.ReadInt16(),
        4 => r.ReadUInt32(),
        5 => r.ReadInt32(),
        6 => r.ReadSingle(),
        7 => r.ReadByte() != 0,
        8 => ReadString(r),
        9 => ReadArray(r),
        10 => r.ReadUInt64(),
        11 => r.ReadInt64(),
        12 => r.ReadDouble(),
        _ => throw new InvalidDataException($"unknown GGUF value type {type}"),
    };

    private static object ReadArray(BinaryReader r)
    {
        uint elementType = r.ReadUInt32();
        ulong count = r.ReadUInt64();
        var list = new List<object>();
        for (ulong i = 0; i < count; i++) list.Add(ReadValue(r, elementType));
        return (elementType, list);
    }

    /// <summary>An array value: its element type and items.</summary>
    public (uint ElementType, List<object> Items) Array(string key) => ((uint, List<object>))Metadata[key].Value;
}

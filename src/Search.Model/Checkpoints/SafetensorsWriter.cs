using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace Search.Model.Checkpoints;

/// <summary>
/// Writes one <c>.safetensors</c> file tensor by tensor: the header (names, dtypes, shapes, offsets)
/// is declared up front, then each tensor is written in declared order and can be freed at once, so
/// a model far larger than memory (a pruned 7B model built layer by layer) is saved without ever
/// being whole. The file appears under its name only when complete (temp file + rename).
/// </summary>
public sealed class SafetensorsWriter : IDisposable
{
    /// <summary>One declared tensor.</summary>
    public sealed record Entry(string Name, ScalarType Dtype, long[] Shape)
    {
        public long Bytes => Shape.Aggregate(1L, (a, b) => a * b) * SafetensorsFile.ElementSize("", Name, SafetensorsFile.ToDtypeName(Dtype));
    }

    private const long MaxSpanBytes = int.MaxValue;
    private readonly string path;
    private readonly string temporary;
    private readonly FileStream stream;
    private readonly IReadOnlyList<Entry> entries;
    private int next;
    private bool completed;

    public SafetensorsWriter(string path, IReadOnlyList<Entry> entries)
    {
        this.path = path;
        this.entries = entries;
        temporary = $"{path}.{Environment.ProcessId}.tmp";
        var header = new Dictionary<string, object> { ["__metadata__"] = new Dictionary<string, string> { ["format"] = "pt" } };
        long offset = 0;
        foreach (var e in entries)
        {
            header[e.Name] = new Dictionary<string, object>
            {
                ["dtype"] = SafetensorsFile.ToDtypeName(e.Dtype),
                ["shape"] = e.Shape,
                ["data_offsets"] = new[] { offset, offset + e.Bytes },
            };
            offset += e.Bytes;
        }
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        int pad = (8 - json.Length % 8) % 8; // the data section starts 8-aligned, so tensors can be memory-mapped in place
        stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        Span<byte> len = stackalloc byte[8];
        BitConverter.TryWriteBytes(len, (ulong)(json.Length + pad));
        stream.Write(len);
        stream.Write(json);
        for (int i = 0; i < pad; i++) stream.WriteByte((byte)' ');
    }

    /// <summary>Writes the next declared tensor (any device or dtype; converted to the declared dtype).</summary>
    public void Write(string name, Tensor t)
    {
        if (next >= entries.Count || entries[next].Name != name)
            throw new InvalidOperationException($"{path}: expected tensor '{(next < entries.Count ? entries[next].Name : "(none)")}', got '{name}'");
        var e = entries[next++];
        if (!t.shape.SequenceEqual(e.Shape))
            throw new InvalidOperationException($"{path}: tensor '{name}' has shape [{string.Join(",", t.shape)}], declared [{string.Join(",", e.Shape)}]");
        using var scope = NewDisposeScope();
        var c = t.detach().to(e.Dtype, CPU).contiguous();
        if (c.numel() == 0) return;
        long rows = c.dim() == 0 ? 1 : c.shape[0];
        long rowBytes = e.Bytes / rows;
        long rowsPerBlock = Math.Max(1, MaxSpanBytes / Math.Max(1, rowBytes));
        if (c.dim() == 0 || rows <= rowsPerBlock)
        {
            stream.Write(c.bytes);
            return;
        }
        for (long r = 0; r < rows; r += rowsPerBlock)
            stream.Write(c.narrow(0, r, Math.Min(rowsPerBlock, rows - r)).clone().bytes); // a standalone block: bytes spans its own storage
    }

    /// <summary>Checks that every declared tensor was written and puts the file in place.</summary>
    public void Complete()
    {
        if (next != entries.Count)
            throw new InvalidOperationException($"{path}: {entries.Count - next} declared tensors were not written");
        stream.Dispose();
        File.Move(temporary, path, overwrite: true);
        completed = true;
    }

    public void Dispose()
    {
        stream.Dispose();
        if (!completed && File.Exists(temporary)) File.Delete(temporary);
    }
}

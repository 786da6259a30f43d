using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Search.Model.Checkpoints;

/// <summary>
/// Writes a checkpoint's tensors as HF safetensors: one <c>model.safetensors</c>, or shards
/// <c>model-0000k-of-0000n.safetensors</c> of at most <c>maxShardBytes</c> with
/// <c>model.safetensors.index.json</c>. Tensors are declared first and produced one at a time in
/// declared order, so nothing forces the whole model into memory.
/// </summary>
public static class ShardedWriter
{
    /// <param name="produce">The tensor of entry i, asked in order; <c>Owned</c> tensors are disposed once written.</param>
    public static void Write(string dir, IReadOnlyList<SafetensorsWriter.Entry> entries, Func<int, (Tensor Tensor, bool Owned)> produce,
        long maxShardBytes)
    {
        var shards = new List<List<int>> { new() };
        long current = 0;
        for (int i = 0; i < entries.Count; i++)
        {
            long bytes = entries[i].Bytes;
            if (current > 0 && current + bytes > maxShardBytes) { shards.Add(new()); current = 0; }
            shards[^1].Add(i);
            current += bytes;
        }
        var names = shards.Count == 1
            ? [Checkpoint.SingleFile]
            : Enumerable.Range(0, shards.Count).Select(s => $"model-{s + 1:00000}-of-{shards.Count:00000}.safetensors").ToList();
        for (int s = 0; s < shards.Count; s++)
        {
            using var writer = new SafetensorsWriter(Path.Combine(dir, names[s]), shards[s].Select(i => entries[i]).ToList());
            foreach (int i in shards[s])
            {
                var (tensor, owned) = produce(i);
                try { writer.Write(entries[i].Name, tensor); }
                finally { if (owned) tensor.Dispose(); }
            }
            writer.Complete();
        }
        if (shards.Count == 1) return;
        var weightMap = new JsonObject();
        for (int s = 0; s < shards.Count; s++)
            foreach (int i in shards[s]) weightMap[entries[i].Name] = names[s];
        var index = new JsonObject
        {
            ["metadata"] = new JsonObject { ["total_size"] = entries.Sum(e => e.Bytes) },
            ["weight_map"] = weightMap,
        };
        File.WriteAllText(Path.Combine(dir, Checkpoint.IndexFile), index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}

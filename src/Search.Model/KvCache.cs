using static TorchSharp.torch;

namespace Search.Model;

/// <summary>
/// Keys and values of the positions a <see cref="Transformer"/> has already seen, per layer, so a
/// decode step attends to them without recomputing them. Buffers are allocated once at
/// <see cref="Capacity"/> ([B, G_l, capacity, h] per layer; null for a layer without attention) and
/// filled in place, so a step costs O(position) reads and no re-allocation. Made by
/// <see cref="Transformer.CreateKvCache"/>; valid only for the model that made it.
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly Tensor?[] keys;
    private readonly Tensor?[] values;

    public long Batch { get; }
    public long Capacity { get; }
    /// <summary>Positions filled so far: the next token is at this position.</summary>
    public long Length { get; private set; }

    internal KvCache(ModelConfig config, long batch, long capacity, ScalarType dtype, Device device)
    {
        if (batch <= 0 || capacity <= 0)
            throw new ArgumentOutOfRangeException(nameof(capacity), $"a KV cache needs batch and capacity > 0 (got {batch}, {capacity})");
        Batch = batch;
        Capacity = capacity;
        keys = new Tensor?[config.NumLayers];
        values = new Tensor?[config.NumLayers];
        for (int i = 0; i < config.NumLayers; i++)
        {
            int g = config.Layers[i].NumKvHeads;
            if (g == 0) continue;
            keys[i] = zeros([batch, g, capacity, config.HeadDim], dtype, device).DetachFromDisposeScope();
            values[i] = zeros([batch, g, capacity, config.HeadDim], dtype, device).DetachFromDisposeScope();
        }
    }

    /// <summary>
    /// Writes the new keys/values [B, G, T, h] of layer <paramref name="layer"/> at positions
    /// Length … Length+T−1 and returns views of everything cached so far, [B, G, Length+T, h].
    /// </summary>
    internal (Tensor Keys, Tensor Values) Append(int layer, Tensor k, Tensor v)
    {
        var kc = keys[layer] ?? throw new InvalidOperationException($"layer {layer} has no attention to cache");
        var vc = values[layer]!;
        long t = k.shape[2];
        kc.narrow(2, Length, t).copy_(k);
        vc.narrow(2, Length, t).copy_(v);
        return (kc.narrow(2, 0, Length + t), vc.narrow(2, 0, Length + t));
    }

    /// <summary>Called once per forward, after every layer appended its <paramref name="tokens"/> new positions.</summary>
    internal void Advance(long tokens) => Length += tokens;

    /// <summary>Forgets every position (the buffers are kept for the next sequence).</summary>
    public void Clear() => Length = 0;

    public void Dispose()
    {
        foreach (var t in keys) t?.Dispose();
        foreach (var t in values) t?.Dispose();
    }
}

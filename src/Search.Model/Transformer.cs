using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Search.Model;

/// <summary>
/// The LLaMA-family decoder (Llama 1/2/3, Mistral, Qwen2, TinyLlama, llama2.c stories): token
/// embedding → N pre-norm blocks (RMSNorm → GQA attention with rotary embeddings → residual;
/// RMSNorm → SiLU-gated MLP → residual) → RMSNorm → lm_head. Widths are per layer, so a pruned
/// model is just another <see cref="Transformer"/>.
/// <para>
/// Weights may be stored in another dtype or on another device than the model computes in (a
/// bfloat16 checkpoint memory-mapped on the host, computed in float32, or on a GPU): <see cref="Layer"/>
/// hands out one layer at a time ready to compute, so a caller that walks layers one by one
/// (<see cref="LayerStream"/>) holds at most one converted layer.
/// </para>
/// </summary>
public sealed class Transformer : IDecoderLayers, IDisposable
{
    private readonly Dictionary<long, (Tensor Cos, Tensor Sin)> ropeCache = new();
    private Tensor? lmHeadTransposed;

    // RMSNorm's scalars, held for the model's lifetime. TorchSharp 0.107 hands an implicitly converted
    // Scalar's native handle to libtorch without keeping the Scalar alive, so its finalizer could free
    // it mid-call: a resumed search died once with "INTERNAL ASSERT FAILED at Scalar.h" in
    // pow_Tensor_Scalar (experiments/stress). A field keeps them reachable while the model is in use.
    private static readonly Scalar SquareExponent = 2.ToScalar();
    private readonly Scalar rmsNormEps;

    public ModelConfig Config { get; }
    public Tensor Embedding { get; }        // [V, d]
    public Tensor FinalNorm { get; }        // [d]
    /// <summary>[V, d]; the same tensor as <see cref="Embedding"/> when embeddings are tied.</summary>
    public Tensor LmHead { get; }
    /// <summary>The stored layers (possibly memory-mapped, possibly in another dtype than <see cref="DType"/>).</summary>
    public IReadOnlyList<DecoderLayerWeights> Layers { get; }
    /// <summary>Where activations live and layers are computed.</summary>
    public Device Device { get; }
    /// <summary>The dtype activations and layer weights are computed in.</summary>
    public ScalarType DType { get; }

    Transformer IDecoderLayers.Host => this;

    /// <param name="computeDtype">Defaults to the embedding's dtype; <paramref name="device"/> to its device.</param>
    public Transformer(ModelConfig config, Tensor embedding, Tensor finalNorm, Tensor? lmHead,
        IReadOnlyList<DecoderLayerWeights> layers, ScalarType? computeDtype = null, Device? device = null)
    {
        if (layers.Count != config.NumLayers)
            throw new ArgumentException($"config has {config.NumLayers} layers, got {layers.Count}");
        Config = config;
        Embedding = embedding;
        FinalNorm = finalNorm;
        LmHead = lmHead ?? embedding;
        Layers = layers;
        DType = computeDtype ?? embedding.dtype;
        Device = device ?? embedding.device;
        rmsNormEps = config.RmsNormEps.ToScalar();
    }

    /// <summary>
    /// Layer <paramref name="index"/> in the compute dtype on the compute device: aliases of the stored
    /// tensors when they already are (no copy), converted copies otherwise. The caller disposes it.
    /// </summary>
    public DecoderLayerWeights Layer(int index) => Ready(Layers[index]);

    /// <summary>Aliases of layer <paramref name="index"/>'s stored tensors (the caller disposes the handles).</summary>
    public DecoderLayerWeights StoredLayer(int index) => Layers[index].Alias();

    /// <summary>A layer's tensors as the forward needs them (aliases when nothing changes).</summary>
    public DecoderLayerWeights Ready(DecoderLayerWeights stored) => stored.Map((_, t) => Ready(t));

    /// <summary>The tensor itself (an alias) when it is in the compute dtype on the compute device, else a converted copy.</summary>
    private Tensor Ready(Tensor t) =>
        t.dtype == DType && t.device_type == Device.type && t.device_index == Device.index ? t.alias() : t.to(DType, Device);

    /// <summary>
    /// Logits [B, T, V] for token ids [B, T] (int64). Grad mode is the caller's: evaluation wraps
    /// it in no_grad, the embedded model's training does not.
    /// </summary>
    public Tensor Forward(Tensor ids, IActivationObserver? observer = null) => Logits(ForwardHidden(ids, observer), disposeInput: true);

    /// <summary>
    /// Runs the decoder blocks only (for an observer: calibration statistics need the o_proj and
    /// down_proj inputs, not the vocabulary-sized logits) and returns the final hidden states [B, T, d].
    /// </summary>
    public Tensor ForwardHidden(Tensor ids, IActivationObserver? observer = null)
    {
        var x = Embed(ids);
        for (int i = 0; i < Layers.Count; i++)
        {
            // One scope per layer: its temporaries (attention scores, MLP activations) go before the next layer runs.
            using var scope = NewDisposeScope();
            using var layer = Layer(i);
            var next = Block(layer, i, x, observer).MoveToOuterDisposeScope();
            x.Dispose();
            x = next;
        }
        return x;
    }

    /// <summary>Token embeddings [B, T, d] of ids [B, T], in the compute dtype on the compute device.</summary>
    public Tensor Embed(Tensor ids)
    {
        using var scope = NewDisposeScope();
        long b = ids.shape[0], t = ids.shape[1];
        var rows = Embedding.index_select(0, ids.reshape(-1).to(Embedding.device));            // [B·T, d]
        return rows.to(DType, Device).view(b, t, Config.HiddenSize).MoveToOuterDisposeScope(); // [B, T, d]
    }

    /// <summary>One decoder block: x + attention(norm(x)), then + MLP(norm(·)). <paramref name="layer"/> is ready to compute.</summary>
    public Tensor Block(DecoderLayerWeights layer, int index, Tensor x, IActivationObserver? observer = null)
    {
        using var scope = NewDisposeScope();
        var h = x + AttentionOutput(layer, AttentionInputs(layer, x, index, observer), x);
        h = h + MlpOutput(layer, MlpInputs(layer, h, index, observer), h);
        return h.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The o_proj input of a block: attention of norm(x) before the output projection, [B, T, H·h];
    /// null when the layer keeps no heads. What calibration statistics and reconstruction read.
    /// </summary>
    public Tensor? AttentionInputs(DecoderLayerWeights l, Tensor x, int index = -1, IActivationObserver? obs = null)
    {
        var w = l.Widths;
        if (w.NumHeads == 0) return null;
        long t = x.shape[1];
        if (Config.SlidingWindow is int window && t > window)
            throw new UserInputException($"sequence length {t} exceeds the model's sliding_window {window}, which is not supported");
        var (cos, sin) = Rope(t);
        long b = x.shape[0];
        int hd = Config.HeadDim;
        var (q, k, v) = QueryKeyValue(l, RmsNorm(x, l.InputNorm), cos, sin);
        if (w.GroupSize > 1)
        {
            // GQA: query head j reads KV head j / groupSize.
            k = k.repeat_interleave(w.GroupSize, dim: 1); // [B, H, T, h]
            v = v.repeat_interleave(w.GroupSize, dim: 1);
        }
        var a = F.scaled_dot_product_attention(q, k, v, is_casual: true); // [B, H, T, h]
        a = a.transpose(1, 2).reshape(b, t, w.NumHeads * hd);             // [B, T, H·h]
        obs?.OnOProjInput(index, a);
        return a;
    }

    /// <summary>Rotated queries [B, H, T, h] and keys [B, G, T, h], and values [B, G, T, h], of normed states h [B, T, d].</summary>
    private (Tensor Q, Tensor K, Tensor V) QueryKeyValue(DecoderLayerWeights l, Tensor h, Tensor cos, Tensor sin)
    {
        var w = l.Widths;
        long b = h.shape[0], t = h.shape[1];
        int hd = Config.HeadDim;
        var q = F.linear(h, l.QProj!, l.QBias).view(b, t, w.NumHeads, hd).transpose(1, 2);   // [B, H, T, h]
        var k = F.linear(h, l.KProj!, l.KBias).view(b, t, w.NumKvHeads, hd).transpose(1, 2); // [B, G, T, h]
        var v = F.linear(h, l.VProj!, l.VBias).view(b, t, w.NumKvHeads, hd).transpose(1, 2); // [B, G, T, h]
        return (ApplyRope(q, cos, sin), ApplyRope(k, cos, sin), v);
    }

    /// <summary>The attention block's contribution to the residual stream given its o_proj input (null: a removed block).</summary>
    public static Tensor AttentionOutput(DecoderLayerWeights l, Tensor? inputs, Tensor like) =>
        inputs is null
            ? l.OBias is null ? zeros_like(like) : l.OBias.expand_as(like) // removed block: its compensation bias only
            : F.linear(inputs, l.OProj!, l.OBias);

    /// <summary>The down_proj input of a block: silu(gate(norm(h)))·up(norm(h)), [B, T, I]; null when the layer keeps no channels.</summary>
    public Tensor? MlpInputs(DecoderLayerWeights l, Tensor h, int index = -1, IActivationObserver? obs = null)
    {
        if (l.Widths.IntermediateSize == 0) return null;
        var n = RmsNorm(h, l.PostAttentionNorm);
        var m = F.silu(F.linear(n, l.GateProj!, l.GateBias)) * F.linear(n, l.UpProj!, l.UpBias); // [B, T, I]
        obs?.OnDownProjInput(index, m);
        return m;
    }

    /// <summary>The MLP block's contribution to the residual stream given its down_proj input (null: a removed block).</summary>
    public static Tensor MlpOutput(DecoderLayerWeights l, Tensor? inputs, Tensor like) =>
        inputs is null
            ? l.DownBias is null ? zeros_like(like) : l.DownBias.expand_as(like)
            : F.linear(inputs, l.DownProj!, l.DownBias);

    /// <summary>
    /// Logits [B, T, V] of final hidden states [B, T, d]: final norm, then lm_head as mm with a
    /// pre-transposed contiguous weight (2x faster than linear on CPU, docs/toolchain.md 7).
    /// </summary>
    public Tensor Logits(Tensor hidden, bool disposeInput = false)
    {
        using var scope = NewDisposeScope();
        long b = hidden.shape[0], t = hidden.shape[1];
        var x = RmsNorm(hidden, Ready(FinalNorm));
        var output = x.view(b * t, Config.HiddenSize).mm(LmHeadTransposed()).view(b, t, -1); // [B, T, V]
        if (disposeInput) hidden.Dispose();
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>A KV cache for up to <paramref name="capacity"/> positions of <paramref name="batch"/> sequences.</summary>
    public KvCache CreateKvCache(long batch, long capacity) => new(Config, batch, capacity, DType, Device);

    /// <summary>
    /// Incremental decoding: runs ids [B, T] at positions cache.Length … cache.Length+T−1, attending to
    /// everything the cache holds, and appends their keys/values. Prefill is one call with the prompt,
    /// decoding one call per token; the logits equal <see cref="Forward"/>'s at the same positions.
    /// Returns [B, T, V], or [B, 1, V] for the last position only when <paramref name="lastOnly"/>
    /// (what a generator needs; it skips T−1 rows of the lm_head).
    /// </summary>
    public Tensor ForwardCached(Tensor ids, KvCache cache, bool lastOnly = false)
    {
        using var scope = NewDisposeScope();
        long b = ids.shape[0], t = ids.shape[1], pos = cache.Length;
        if (b != cache.Batch) throw new ArgumentException($"ids have batch {b}, the KV cache was made for {cache.Batch}");
        if (pos + t > cache.Capacity)
            throw new ArgumentException($"{t} new tokens after {pos} cached ones exceed the KV cache capacity {cache.Capacity}");
        if (Config.SlidingWindow is int w && pos + t > w)
            throw new UserInputException($"sequence length {pos + t} exceeds the model's sliding_window {w}, which is not supported");
        var (cosAll, sinAll) = Rope(cache.Capacity);
        var cos = cosAll.narrow(0, pos, t); // [T, h] for absolute positions pos … pos+T−1
        var sin = sinAll.narrow(0, pos, t);
        var x = Embed(ids);                                                              // [B, T, d]
        for (int i = 0; i < Layers.Count; i++)
        {
            using var layer = Layer(i);
            x = x + CachedAttention(layer, RmsNorm(x, layer.InputNorm), cos, sin, i, cache);
            x = x + MlpOutput(layer, MlpInputs(layer, x), x);
        }
        cache.Advance(t);
        if (lastOnly) x = x.narrow(1, t - 1, 1);                                          // [B, 1, d]
        long rows = x.shape[1];
        x = RmsNorm(x, Ready(FinalNorm));
        var output = x.reshape(b * rows, Config.HiddenSize).mm(LmHeadTransposed()).view(b, rows, -1); // [B, T|1, V]
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>Attention over the cached positions plus the T new ones (whose k/v it appends).</summary>
    private Tensor CachedAttention(DecoderLayerWeights l, Tensor h, Tensor cos, Tensor sin, int index, KvCache cache)
    {
        var w = l.Widths;
        if (w.NumHeads == 0)
            return l.OBias is null ? zeros_like(h) : l.OBias.expand_as(h);
        long b = h.shape[0], t = h.shape[1], pos = cache.Length;
        int hd = Config.HeadDim;
        var (q, k, v) = QueryKeyValue(l, h, cos, sin);
        var (keys, values) = cache.Append(index, k, v);                                       // [B, G, S, h], S = pos+T
        Tensor a;
        if (t == 1)
        {
            // One new token sees every cached position, so no mask; the g query heads of a KV group
            // ride on the query axis (head j = group j/g), so the cache is never repeated per head.
            var qg = q.reshape(b, w.NumKvHeads, w.GroupSize, hd);                           // [B, G, g, h]
            a = F.scaled_dot_product_attention(qg, keys, values).reshape(b, w.NumHeads, 1, hd); // [B, H, 1, h]
        }
        else
        {
            if (w.GroupSize > 1)
            {
                keys = keys.repeat_interleave(w.GroupSize, dim: 1);                         // [B, H, S, h]
                values = values.repeat_interleave(w.GroupSize, dim: 1);
            }
            if (pos == 0)
            {
                a = F.scaled_dot_product_attention(q, keys, values, is_casual: true);        // [B, H, T, h]
            }
            else
            {
                // New token i sits at absolute position pos+i and sees cached positions 0 … pos+i.
                var mask = ones([t, pos + t], ScalarType.Bool, Device).tril(pos);           // [T, S]
                a = F.scaled_dot_product_attention(q, keys, values, attn_mask: mask);
            }
        }
        a = a.transpose(1, 2).reshape(b, t, w.NumHeads * hd);                               // [B, T, H·h]
        return F.linear(a, l.OProj!, l.OBias);
    }

    /// <summary>HF RMSNorm: normalize in float32, cast back, then scale.</summary>
    private Tensor RmsNorm(Tensor x, Tensor weight)
    {
        var xf = x.dtype == ScalarType.Float32 ? x : x.to_type(ScalarType.Float32);
        var normed = xf * rsqrt(xf.pow(SquareExponent).mean([-1], keepdim: true).add(rmsNormEps));
        return weight * (x.dtype == ScalarType.Float32 ? normed : normed.to_type(x.dtype));
    }

    /// <summary>HF rotate_half convention: component j rotates with j + h/2 at angle pos·θ^(−2j/h).</summary>
    private static Tensor ApplyRope(Tensor x, Tensor cos, Tensor sin)
    {
        long half = x.shape[^1] / 2;
        var x1 = x.narrow(-1, 0, half);
        var x2 = x.narrow(-1, half, half);
        var rotated = cat([-x2, x1], -1);
        return x * cos + rotated * sin;
    }

    /// <summary>cos/sin tables [T, h] for positions 0..T−1, computed in float64 and cached per length.</summary>
    private (Tensor Cos, Tensor Sin) Rope(long t)
    {
        lock (ropeCache)
        {
            if (ropeCache.TryGetValue(t, out var cached)) return cached;
            int hd = Config.HeadDim;
            using var scope = NewDisposeScope();
            var invFreq = pow(Config.RopeTheta, -arange(0, hd, 2, ScalarType.Float64) / hd).to_type(ScalarType.Float32); // [h/2]
            var pos = arange(t, ScalarType.Float32);                                  // [T]
            var freqs = outer(pos, invFreq);                                          // [T, h/2]
            var emb = cat([freqs, freqs], -1);                                        // [T, h]
            var cos = emb.cos().to(DType, Device).DetachFromDisposeScope();
            var sin = emb.sin().to(DType, Device).DetachFromDisposeScope();
            ropeCache[t] = (cos, sin);
            return (cos, sin);
        }
    }

    /// <summary>
    /// The cached transposed head [d, V] in the compute dtype is a copy: valid only while the head does
    /// not train. Under autograd the live transpose is used so gradients reach the head and updates are seen.
    /// </summary>
    private Tensor LmHeadTransposed()
    {
        if (LmHead.requires_grad) return LmHead.t();
        lock (ropeCache)
        {
            if (lmHeadTransposed is null)
            {
                using var scope = NewDisposeScope();
                lmHeadTransposed = LmHead.to(DType, Device).t().contiguous().DetachFromDisposeScope();
            }
            return lmHeadTransposed;
        }
    }

    /// <summary>All tensors by their HF names (lm_head only when untied).</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> NamedTensors()
    {
        yield return new("model.embed_tokens.weight", Embedding);
        for (int i = 0; i < Layers.Count; i++)
            foreach (var (name, t) in Layers[i].Named())
                yield return new($"model.layers.{i}.{name}", t);
        yield return new("model.norm.weight", FinalNorm);
        if (!ReferenceEquals(LmHead, Embedding)) yield return new("lm_head.weight", LmHead);
    }

    /// <summary>Parameter count of the stored tensors (tied embeddings counted once).</summary>
    public long ParameterCount() => NamedTensors().Sum(kv => kv.Value.numel());

    public void Dispose()
    {
        foreach (var (cos, sin) in ropeCache.Values) { cos.Dispose(); sin.Dispose(); }
        ropeCache.Clear();
        lmHeadTransposed?.Dispose();
        foreach (var l in Layers) l.Dispose();
        Embedding.Dispose();
        FinalNorm.Dispose();
        if (!ReferenceEquals(LmHead, Embedding)) LmHead.Dispose();
        rmsNormEps.Dispose();
    }
}

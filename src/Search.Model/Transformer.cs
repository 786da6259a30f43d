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
        long t = x.shape[1];
        if (Config.SlidingWindow is int w && t > w)
            throw new UserInputException($"sequence length {t} exceeds the model's sliding_window {w}, which is not supported");
        var (cos, sin) = Rope(t);
        var h = x + Attention(layer, RmsNorm(x, layer.InputNorm), cos, sin, index, observer);
        h = h + Mlp(layer, RmsNorm(h, layer.PostAttentionNorm), index, observer);
        return h.MoveToOuterDisposeScope();
    }

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

    private Tensor Attention(DecoderLayerWeights l, Tensor h, Tensor cos, Tensor sin, int index, IActivationObserver? obs)
    {
        var w = l.Widths;
        if (w.NumHeads == 0)
            return l.OBias is null ? zeros_like(h) : l.OBias.expand_as(h); // removed block: its compensation bias only
        long b = h.shape[0], t = h.shape[1];
        int hd = Config.HeadDim;
        var q = F.linear(h, l.QProj!, l.QBias).view(b, t, w.NumHeads, hd).transpose(1, 2);   // [B, H, T, h]
        var k = F.linear(h, l.KProj!, l.KBias).view(b, t, w.NumKvHeads, hd).transpose(1, 2); // [B, G, T, h]
        var v = F.linear(h, l.VProj!, l.VBias).view(b, t, w.NumKvHeads, hd).transpose(1, 2); // [B, G, T, h]
        q = ApplyRope(q, cos, sin);
        k = ApplyRope(k, cos, sin);
        if (w.GroupSize > 1)
        {
            // GQA: query head j reads KV head j / groupSize.
            k = k.repeat_interleave(w.GroupSize, dim: 1); // [B, H, T, h]
            v = v.repeat_interleave(w.GroupSize, dim: 1);
        }
        var a = F.scaled_dot_product_attention(q, k, v, is_casual: true); // [B, H, T, h]
        a = a.transpose(1, 2).reshape(b, t, w.NumHeads * hd);             // [B, T, H·h]
        obs?.OnOProjInput(index, a);
        return F.linear(a, l.OProj!, l.OBias);
    }

    private static Tensor Mlp(DecoderLayerWeights l, Tensor h, int index, IActivationObserver? obs)
    {
        if (l.Widths.IntermediateSize == 0)
            return l.DownBias is null ? zeros_like(h) : l.DownBias.expand_as(h);
        var m = F.silu(F.linear(h, l.GateProj!, l.GateBias)) * F.linear(h, l.UpProj!, l.UpBias); // [B, T, I]
        obs?.OnDownProjInput(index, m);
        return F.linear(m, l.DownProj!, l.DownBias);
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

using Search.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Search.Tests.Pruning;

/// <summary>Seeded random LLaMA-shaped models, so the pruning suite also runs where ../shared is absent.</summary>
internal static class RandomModels
{
    /// <summary>MHA: 6 heads of 8, 3 layers, hidden 48, intermediate 100.</summary>
    public static Transformer Mha(int seed = 1) =>
        Create(seed, layers: 3, hidden: 48, heads: 6, kvHeads: 6, headDim: 8, intermediate: 100, vocab: 61);

    /// <summary>GQA with every optional bias: 8 query heads in 4 KV groups of head_dim 6, 3 layers, untied lm_head.</summary>
    public static Transformer GqaWithBiases(int seed = 2) =>
        Create(seed, layers: 3, hidden: 40, heads: 8, kvHeads: 4, headDim: 6, intermediate: 90, vocab: 53, biases: true, tied: false);

    public static Transformer Create(int seed, int layers, int hidden, int heads, int kvHeads, int headDim, int intermediate,
        int vocab, bool biases = false, bool tied = true)
    {
        using var noGrad = no_grad();
        var gen = new Generator((ulong)seed);
        // N(0, 1/in) weights keep activations O(1) through the layers, like a trained model.
        Tensor Linear(long outFeatures, long inFeatures) =>
            (randn([outFeatures, inFeatures], generator: gen) / Math.Sqrt(inFeatures)).DetachFromDisposeScope();
        Tensor Vector(long n, double center, double spread) =>
            (randn([n], generator: gen) * spread + center).DetachFromDisposeScope();
        Tensor? Bias(long n) => biases ? Vector(n, 0, 0.1) : null;
        var config = new ModelConfig
        {
            ModelType = "llama",
            HiddenSize = hidden,
            VocabSize = vocab,
            HeadDim = headDim,
            NumAttentionHeads = heads,
            NumKeyValueHeads = kvHeads,
            IntermediateSize = intermediate,
            Layers = Enumerable.Range(0, layers).Select(_ => new LayerWidths(heads, kvHeads, intermediate, false, false)).ToList(),
            RmsNormEps = 1e-5,
            TieWordEmbeddings = tied,
            QkvBias = biases,
            GateUpBias = biases,
        };
        // Drawn in LayerTensor order: norms, q/k/v/o, their biases, gate/up/down, their biases.
        var layerWeights = config.Layers
            .Select(w => DecoderLayerWeights.Create(w, kind => LayerTensors.Shape(kind, w, config) switch
            {
                null => null,
                var shape when LayerTensors.IsNorm(kind) => Vector(shape[0], 1, 0.1),
                [var n] => Bias(n),
                [var o, var i] => Linear(o, i),
                _ => throw new InvalidOperationException(),
            }))
            .ToList();
        var embedding = Linear(vocab, hidden) * Math.Sqrt(hidden) / 4;
        return new Transformer(config, embedding.DetachFromDisposeScope(), Vector(hidden, 1, 0.1), tied ? null : Linear(vocab, hidden),
            layerWeights);
    }

    /// <summary>Uniformly random token ids, row-major [count, seqLen].</summary>
    public static long[] RandomWindows(int vocab, int count, int seqLen, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count * seqLen).Select(_ => (long)rng.Next(vocab)).ToArray();
    }
}

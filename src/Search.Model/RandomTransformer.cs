using static TorchSharp.torch;

namespace Search.Model;

/// <summary>
/// Randomly initialized decoders of any shape (normal(0, 0.02) weights, unit norms, small biases):
/// benchmarks run realistic shapes without trained checkpoints, tests build models that need no
/// files. Deterministic for a seed.
/// </summary>
public static class RandomTransformer
{
    public static Transformer Create(ModelConfig c, long seed, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        device ??= CPU;
        var gen = new Generator((ulong)seed);
        Tensor W(params long[] shape) => (randn(shape, ScalarType.Float32, generator: gen) * 0.02f).to(dtype, device);
        Tensor Norm(long d) => (1.0f + randn([d], ScalarType.Float32, generator: gen) * 0.05f).to(dtype, device);
        long d = c.HiddenSize;
        var layers = c.Layers
            .Select(w => DecoderLayerWeights.Create(w, kind => LayerTensors.Shape(kind, w, c) is { } shape
                ? LayerTensors.IsNorm(kind) ? Norm(d) : W(shape)
                : null))
            .ToList();
        var embedding = W(c.VocabSize, d);
        var norm = Norm(d);
        var lmHead = c.TieWordEmbeddings ? null : W(c.VocabSize, d);
        return new Transformer(c, embedding, norm, lmHead, layers);
    }

    /// <summary>A dense LLaMA-style config of the given shape (head_dim = hidden / heads, rope θ 10000, RMSNorm ε 1e-5).</summary>
    public static ModelConfig DenseConfig(int hidden, int layers, int heads, int kvHeads, int intermediate, int vocab,
        bool tied = false, string modelType = "llama") =>
        new Shapes.ModelShape("custom", "", modelType, hidden, layers, heads, kvHeads, intermediate, vocab, tied,
            RopeTheta: 10000, RmsNormEps: 1e-5, MaxPositions: 2048, Shards: 1, QkvBias: modelType == "qwen2").Config();
}

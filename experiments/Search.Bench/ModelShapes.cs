using Search.Model;

namespace Search.Bench;

/// <summary>Realistic shapes for speed work (weights are random: speed does not need trained values).</summary>
public static class ModelShapes
{
    /// <summary>llama2.c stories15M: dim 288, 6 layers, 6 heads, hidden 768, vocab 32000.</summary>
    public static ModelConfig Stories15M => RandomTransformer.DenseConfig(288, 6, 6, 6, 768, 32000);

    /// <summary>llama2.c stories110M: dim 768, 12 layers, 12 heads, hidden 2048, vocab 32000.</summary>
    public static ModelConfig Stories110M => RandomTransformer.DenseConfig(768, 12, 12, 12, 2048, 32000);
}

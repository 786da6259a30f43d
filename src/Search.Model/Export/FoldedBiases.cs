using static TorchSharp.torch;

namespace Search.Model.Export;

/// <summary>
/// FLAP compensation gives a fully removed block a constant output b (its bias), added to the
/// residual stream. Runtimes that skip a removed block (llama.cpp's deci graph, vLLM's no_op) drop
/// that constant. Nothing happens to the residual between the previous present block and the
/// removed one, so adding b to the previous present block's output bias instead is exact
/// (x + f(x) + b_prev + b); with no block before it, b shifts every token embedding.
/// The result owns fresh tensors ([d] each); dispose it.
/// </summary>
internal sealed class FoldedBiases : IDisposable
{
    /// <summary>Added to every row of the token embedding, or null.</summary>
    public Tensor? EmbeddingShift { get; private set; }
    /// <summary>o_proj bias per layer after folding; null where the attention is removed or has none.</summary>
    public Tensor?[] OBias { get; }
    /// <summary>down_proj bias per layer after folding; null where the MLP is removed or has none.</summary>
    public Tensor?[] DownBias { get; }

    private FoldedBiases(int layers)
    {
        OBias = new Tensor?[layers];
        DownBias = new Tensor?[layers];
    }

    public static FoldedBiases Fold(Transformer model)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope(); // conversions die here; the kept biases are detached
        var f = new FoldedBiases(model.Layers.Count);
        // Where a removed block's constant goes: the last present block's bias slot, or the embedding.
        Action<Tensor> addToTarget = b => f.EmbeddingShift = Sum(f.EmbeddingShift, b);
        for (int l = 0; l < model.Layers.Count; l++)
        {
            var layer = model.Layers[l];
            int li = l;
            if (layer.Widths.NumHeads > 0)
            {
                f.OBias[li] = layer.OBias?.to_type(ScalarType.Float32).clone().DetachFromDisposeScope();
                addToTarget = b => f.OBias[li] = Sum(f.OBias[li], b);
            }
            else if (layer.OBias is not null)
            {
                addToTarget(layer.OBias);
            }
            if (layer.Widths.IntermediateSize > 0)
            {
                f.DownBias[li] = layer.DownBias?.to_type(ScalarType.Float32).clone().DetachFromDisposeScope();
                addToTarget = b => f.DownBias[li] = Sum(f.DownBias[li], b);
            }
            else if (layer.DownBias is not null)
            {
                addToTarget(layer.DownBias);
            }
        }
        return f;
    }

    private static Tensor Sum(Tensor? acc, Tensor b)
    {
        using var scope = NewDisposeScope();
        var add = b.to_type(ScalarType.Float32);
        var result = (acc is null ? add.clone() : acc + add).DetachFromDisposeScope();
        acc?.Dispose();
        return result;
    }

    public void Dispose()
    {
        EmbeddingShift?.Dispose();
        foreach (var t in OBias) t?.Dispose();
        foreach (var t in DownBias) t?.Dispose();
    }
}

using Search.Model;
using Search.Pruning.Allocation;
using Search.Pruning.Statistics;
using static TorchSharp.torch;

namespace Search.Pruning.Surgery;

/// <summary>
/// The reference for <see cref="Surgery"/>: a copy of the dense model at its full widths in which the
/// plan's pruned units are zeroed (q/k/v rows and o columns of removed KV groups; gate/up rows and
/// down columns of removed channels) and the o/down biases carry the same compensation. Its logits
/// must equal the pruned model's. For tests and debugging; it costs a full copy of the layers.
/// </summary>
public static class Masking
{
    public static Transformer MaskedDense(Transformer dense, PruningPlan plan, ChannelStats? stats, Compensation compensation)
    {
        Surgery.Validate(dense, plan, stats, compensation);
        int hd = dense.Config.HeadDim;
        return Surgery.BuildLayers(dense, l =>
        {
            var src = dense.Layers[l];
            var lp = plan.Layers[l];
            var kept = KeptIndices.Of(lp, hd, src.InputNorm.device);
            var oBias = BiasCompensation.PrunedBias(src.OProj, src.OBias, lp.KeptAttentionChannels(hd), stats?.Layers[l].Attention, compensation);
            var downBias = BiasCompensation.PrunedBias(src.DownProj, src.DownBias, lp.KeptChannels, stats?.Layers[l].Mlp, compensation);
            return DecoderLayerWeights.Create(src.Widths with { OProjBias = oBias is not null, DownProjBias = downBias is not null }, kind =>
                kind switch
                {
                    LayerTensor.OBias => oBias,
                    LayerTensor.DownBias => downBias,
                    _ when LayerTensors.IsNorm(kind) => src[kind]!.alias(),
                    _ => src[kind] is { } t ? Masked(t, kind, kept) : null,
                });
        });
    }

    /// <summary><paramref name="t"/> times a 0/1 mask along its pruned axis (1 at kept positions).</summary>
    private static Tensor Masked(Tensor t, LayerTensor kind, KeptIndices kept)
    {
        var (_, dim) = LayerTensors.PrunedAxis(kind);
        var values = new float[t.shape[dim]];
        if (kept.Keeps(kind))
            foreach (int i in kept.Positions(kind)) values[i] = 1;
        var mask = tensor(values).to(t.dtype, t.device);  // [n]
        return t * (t.dim() == 2 && dim == 0 ? mask.unsqueeze(1) : mask);
    }
}

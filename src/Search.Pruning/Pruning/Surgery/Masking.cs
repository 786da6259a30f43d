using Search.Model;
using Search.Pruning.Pruning.Allocation;
using Search.Pruning.Pruning.Statistics;
using static TorchSharp.torch;

namespace Search.Pruning.Pruning.Surgery;

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
            var attentionChannels = lp.KeptAttentionChannels(hd);
            var qMask = Mask(src.QProj?.shape[0] ?? 0, attentionChannels, src);  // [H·h]
            var kvMask = Mask(src.KProj?.shape[0] ?? 0, lp.KeptKvRows(hd), src);  // [G·h]
            var mlpMask = Mask(src.Widths.IntermediateSize, lp.KeptChannels, src); // [I]
            Tensor? Rows(Tensor? t, Tensor mask) => t is null ? null : t * (t.dim() == 2 ? mask.unsqueeze(1) : mask);
            Tensor? Cols(Tensor? t, Tensor mask) => t is null ? null : t * mask;
            var oBias = BiasCompensation.PrunedBias(src.OProj, src.OBias, attentionChannels, stats?.Layers[l].Attention, compensation);
            var downBias = BiasCompensation.PrunedBias(src.DownProj, src.DownBias, lp.KeptChannels, stats?.Layers[l].Mlp, compensation);
            return new DecoderLayerWeights
            {
                Widths = src.Widths with { OProjBias = oBias is not null, DownProjBias = downBias is not null },
                InputNorm = src.InputNorm.alias(),
                PostAttentionNorm = src.PostAttentionNorm.alias(),
                QProj = Rows(src.QProj, qMask),
                KProj = Rows(src.KProj, kvMask),
                VProj = Rows(src.VProj, kvMask),
                OProj = Cols(src.OProj, qMask),
                QBias = Rows(src.QBias, qMask),
                KBias = Rows(src.KBias, kvMask),
                VBias = Rows(src.VBias, kvMask),
                OBias = oBias,
                GateProj = Rows(src.GateProj, mlpMask),
                UpProj = Rows(src.UpProj, mlpMask),
                DownProj = Cols(src.DownProj, mlpMask),
                GateBias = Rows(src.GateBias, mlpMask),
                UpBias = Rows(src.UpBias, mlpMask),
                DownBias = downBias,
            };
        });
    }

    /// <summary>1 at kept indices, 0 elsewhere: [count] in the model's dtype and device.</summary>
    private static Tensor Mask(long count, int[] kept, DecoderLayerWeights like)
    {
        var values = new float[count];
        foreach (int i in kept) values[i] = 1;
        return tensor(values).to(like.InputNorm.dtype, like.InputNorm.device);
    }
}

using Search.Model;
using Search.Pruning.Allocation;
using Search.Pruning.Statistics;
using static TorchSharp.torch;

namespace Search.Pruning.Surgery;

/// <summary>
/// Builds the pruned model of a plan: every layer tensor is an <c>index_select</c> of the dense one
/// (q/k/v rows and o columns of the kept KV groups; gate/up rows and down columns of the kept
/// channels), o/down biases carry the compensation. Embedding, final norm, lm_head and layer norms
/// are <c>alias()</c> handles of the dense tensors: the same storage, and disposing the pruned model
/// only drops its handles, so the dense model stays usable.
/// </summary>
public static class Surgery
{
    public static Transformer Apply(Transformer dense, PruningPlan plan, ChannelStats? stats, Compensation compensation)
    {
        Validate(dense, plan, stats, compensation);
        return BuildLayers(dense, l => PruneLayer(dense.Layers[l], plan.Layers[l], dense.Config.HeadDim,
            stats?.Layers[l], compensation));
    }

    /// <summary>
    /// One pruned layer: every pruned axis index_selected to the kept units (a block with no kept
    /// unit drops its tensors), norms aliased, o/down biases carrying the compensation.
    /// </summary>
    public static DecoderLayerWeights PruneLayer(DecoderLayerWeights src, LayerPlan lp, int headDim, LayerChannelStats? stats,
        Compensation compensation)
    {
        var kept = KeptIndices.Of(lp, headDim, src.InputNorm.device);
        var attentionChannels = lp.KeptAttentionChannels(headDim);
        var oBias = BiasCompensation.PrunedBias(src.OProj, src.OBias, attentionChannels, stats?.Attention, compensation);
        var downBias = BiasCompensation.PrunedBias(src.DownProj, src.DownBias, lp.KeptChannels, stats?.Mlp, compensation);
        var widths = PrunedWidths(src, lp, headDim, compensation);
        if (widths.OProjBias != oBias is not null || widths.DownProjBias != downBias is not null)
            throw new InvalidOperationException("bias presence disagrees with BiasCompensation.HasBias");
        return DecoderLayerWeights.Create(widths, kind => kind switch
        {
            LayerTensor.OBias => oBias,
            LayerTensor.DownBias => downBias,
            _ when LayerTensors.IsNorm(kind) => src[kind]!.alias(),
            _ => src[kind] is { } t && kept.Keeps(kind) ? t.index_select(LayerTensors.PrunedAxis(kind).Dim, kept.For(kind)) : null,
        });
    }

    /// <summary>The widths a layer has after pruning (known before any tensor is built).</summary>
    public static LayerWidths PrunedWidths(DecoderLayerWeights src, LayerPlan lp, int headDim, Compensation compensation) =>
        new(lp.KeptQueryHeads().Length, lp.KeptKvGroups.Length, lp.KeptChannels.Length,
            BiasCompensation.HasBias(src.OBias is not null, src.Widths.NumHeads * headDim, lp.KeptQueryHeads().Length * headDim, compensation),
            BiasCompensation.HasBias(src.DownBias is not null, src.Widths.IntermediateSize, lp.KeptChannels.Length, compensation));

    /// <summary>
    /// Builds one new layer per dense layer (each inside its own dispose scope, its tensors kept
    /// beyond it) and wraps them in a model that shares the dense embeddings; on failure the layers
    /// built so far are freed. Shared by <see cref="Apply"/> and <see cref="Masking"/>.
    /// </summary>
    internal static Transformer BuildLayers(Transformer dense, Func<int, DecoderLayerWeights> buildLayer)
    {
        var layers = new List<DecoderLayerWeights>(dense.Layers.Count);
        using var noGrad = no_grad();
        try
        {
            for (int l = 0; l < dense.Layers.Count; l++)
            {
                using var scope = NewDisposeScope();
                var layer = buildLayer(l);
                foreach (var (_, t) in layer.Named()) t.DetachFromDisposeScope();
                layers.Add(layer);
            }
            return SharingEmbeddings(dense, dense.Config with { Layers = layers.Select(x => x.Widths).ToList() }, layers);
        }
        catch
        {
            foreach (var layer in layers) layer.Dispose();
            throw;
        }
    }

    /// <summary>A model over <paramref name="layers"/> whose embedding, final norm and lm_head alias the dense ones.</summary>
    internal static Transformer SharingEmbeddings(Transformer dense, ModelConfig config, IReadOnlyList<DecoderLayerWeights> layers)
    {
        bool tied = ReferenceEquals(dense.LmHead, dense.Embedding);
        return new Transformer(config, dense.Embedding.alias(), dense.FinalNorm.alias(), tied ? null : dense.LmHead.alias(), layers);
    }

    internal static void Validate(Transformer dense, PruningPlan plan, ChannelStats? stats, Compensation compensation)
    {
        if (plan.Layers.Count != dense.Layers.Count)
            throw new ArgumentException($"plan has {plan.Layers.Count} layers, the model {dense.Layers.Count}");
        for (int l = 0; l < plan.Layers.Count; l++)
        {
            var w = dense.Layers[l].Widths;
            var lp = plan.Layers[l];
            if (lp.KvGroupsBefore != w.NumKvHeads || lp.ChannelsBefore != w.IntermediateSize || lp.GroupSize != w.GroupSize)
                throw new ArgumentException($"layer {l}: the plan was made for {lp.KvGroupsBefore} KV groups × {lp.GroupSize} / {lp.ChannelsBefore} channels, " +
                                            $"the model has {w.NumKvHeads} × {w.GroupSize} / {w.IntermediateSize}");
            if (lp.KeptKvGroups.Any(k => k < 0 || k >= w.NumKvHeads) || lp.KeptChannels.Any(c => c < 0 || c >= w.IntermediateSize))
                throw new ArgumentException($"layer {l}: the plan keeps units outside the layer");
            var heads = lp.KeptQueryHeads();
            if (heads.Any(q => !lp.KeptKvGroups.Contains(q / Math.Max(1, lp.GroupSize)))
                || lp.KeptKvGroups.Any(k => heads.Count(q => q / lp.GroupSize == k) != lp.KeptHeadsPerGroup))
                throw new ArgumentException($"layer {l}: every kept KV group must keep the same number of its own query heads");
        }
        if (compensation != Compensation.None)
        {
            if (stats is null) throw new UserInputException("FLAP bias compensation needs calibration statistics");
            if (stats.Layers.Count != dense.Layers.Count)
                throw new ArgumentException($"statistics cover {stats.Layers.Count} layers, the model has {dense.Layers.Count}");
        }
    }
}

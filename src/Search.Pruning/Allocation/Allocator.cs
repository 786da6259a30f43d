using Search.Model;
using Search.Pruning.Metrics;

namespace Search.Pruning.Allocation;

/// <summary>Turns unit scores into a <see cref="PruningPlan"/> under a structure or explicit per-layer ratios.</summary>
public static class Allocator
{
    /// <summary>
    /// Removes a fraction <paramref name="ratio"/> ∈ [0, 1) of the prunable parameters under
    /// <paramref name="structure"/>. Blocks are never emptied unless <paramref name="allowEmptyBlocks"/>.
    /// </summary>
    public static PruningPlan Allocate(Transformer model, IReadOnlyList<LayerUnitScores> scores, PruningStructure structure,
        double ratio, bool allowEmptyBlocks = false)
    {
        PruningRatio.Ensure(ratio);
        var (attention, mlp) = Blocks(model, scores);
        double total = attention.Sum(b => b.KeptCost) + mlp.Sum(b => b.KeptCost);
        switch (structure)
        {
            case PruningStructure.UniformLayersUniformModules:
                foreach (var b in attention.Concat(mlp)) b.RemoveLowest(FloorShare(ratio, b.Count), allowEmptyBlocks);
                break;
            case PruningStructure.UniformLayersManualModules:
            {
                foreach (var b in attention) b.RemoveLowest(FloorShare(ratio, b.Count), allowEmptyBlocks);
                // Every layer gives up the same share of its MLP, sized so the whole budget is met.
                double remaining = ratio * total - attention.Sum(b => b.RemovedCost);
                double mlpTotal = mlp.Sum(b => (double)b.Count * b.UnitCost);
                double share = mlpTotal > 0 ? Math.Clamp(remaining / mlpTotal, 0, 1) : 0;
                foreach (var b in mlp) b.RemoveLowest((int)Math.Round(share * b.Count, MidpointRounding.AwayFromZero), allowEmptyBlocks);
                break;
            }
            case PruningStructure.AdaptiveLayersManualModules:
            {
                int groups = attention.Sum(b => b.Count);
                GlobalRanking.KeepBest(attention, groups - FloorShare(ratio, groups), allowEmptyBlocks, _ => 1);
                double remaining = Math.Max(0, ratio * total - attention.Sum(b => b.RemovedCost));
                double mlpTotal = mlp.Sum(b => (double)b.Count * b.UnitCost);
                GlobalRanking.KeepBest(mlp, mlpTotal - remaining, allowEmptyBlocks, b => b.UnitCost);
                break;
            }
            case PruningStructure.AdaptiveLayersAdaptiveModules:
                GlobalRanking.KeepBest([.. attention, .. mlp], (1 - ratio) * total, allowEmptyBlocks, b => b.UnitCost);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(structure));
        }
        return Plan(model, PruningStructureNames.Name(structure), ratio, attention, mlp);
    }

    /// <summary>Each layer removes its own fractions of KV groups and channels (the lowest-scoring ones).</summary>
    public static PruningPlan AllocateLayerRatios(Transformer model, IReadOnlyList<LayerUnitScores> scores, LayerRatios ratios,
        bool allowEmptyBlocks = false)
    {
        int layers = model.Layers.Count;
        if (ratios.Attention.Count != layers || ratios.Mlp.Count != layers)
            throw new UserInputException(
                $"layer ratios: the model has {layers} layers, got {ratios.Attention.Count} attention and {ratios.Mlp.Count} MLP ratios");
        var (attention, mlp) = Blocks(model, scores);
        double requested = 0, total = 0;
        for (int l = 0; l < layers; l++)
        {
            foreach (var (block, r, what) in new[] { (attention[l], ratios.Attention[l], "attention"), (mlp[l], ratios.Mlp[l], "MLP") })
            {
                if (!(r >= 0 && r <= 1))
                    throw new UserInputException($"layer ratios: layer {l} {what} ratio must be in [0, 1] (got {r})");
                if (block.Count > 0 && FloorShare(r, block.Count) == block.Count && !allowEmptyBlocks)
                    throw new UserInputException($"layer ratios: layer {l} {what} ratio {r} removes the whole block; allow empty blocks to do that");
                block.RemoveLowest(FloorShare(r, block.Count), allowEmptyBlocks);
                requested += r * block.Count * block.UnitCost;
                total += (double)block.Count * block.UnitCost;
            }
        }
        return Plan(model, "layer-ratios", total > 0 ? requested / total : 0, attention, mlp);
    }

    /// <summary>A plan that keeps everything (ratio 0).</summary>
    public static PruningPlan Identity(Transformer model)
    {
        var (attention, mlp) = Blocks(model, null);
        return Plan(model, "identity", 0, attention, mlp);
    }

    /// <summary>⌊r·n⌋, with a tolerance so that 0.3·10 counts as 3.</summary>
    private static int FloorShare(double r, int n) => (int)Math.Floor(r * n + 1e-9);

    private static (List<UnitBlock> Attention, List<UnitBlock> Mlp) Blocks(Transformer model, IReadOnlyList<LayerUnitScores>? scores)
    {
        if (scores is not null && scores.Count != model.Layers.Count)
            throw new ArgumentException($"scores cover {scores.Count} layers, the model has {model.Layers.Count}");
        var attention = new List<UnitBlock>();
        var mlp = new List<UnitBlock>();
        for (int l = 0; l < model.Layers.Count; l++)
        {
            var costs = LayerUnitCosts.Of(model.Layers[l]);
            var s = scores?[l] ?? new LayerUnitScores(new double[costs.KvGroups], new double[costs.Channels]);
            if (s.KvGroups.Length != costs.KvGroups || s.Channels.Length != costs.Channels)
                throw new ArgumentException($"layer {l}: scores have {s.KvGroups.Length}/{s.Channels.Length} units, the model {costs.KvGroups}/{costs.Channels}");
            attention.Add(new UnitBlock(l, true, s.KvGroups, costs.KvGroupCost));
            mlp.Add(new UnitBlock(l, false, s.Channels, costs.ChannelCost));
        }
        return (attention, mlp);
    }

    private static PruningPlan Plan(Transformer model, string structure, double target, List<UnitBlock> attention, List<UnitBlock> mlp)
    {
        long total = attention.Sum(b => (long)b.Count * b.UnitCost) + mlp.Sum(b => (long)b.Count * b.UnitCost);
        long removed = attention.Sum(b => b.RemovedCost) + mlp.Sum(b => b.RemovedCost);
        var layers = Enumerable.Range(0, attention.Count)
            .Select(l => new LayerPlan(attention[l].Count, model.Layers[l].Widths.GroupSize, attention[l].KeptIndices(),
                mlp[l].Count, mlp[l].KeptIndices()))
            .ToList();
        return new PruningPlan(structure, target, total > 0 ? (double)removed / total : 0, total, removed, layers);
    }
}

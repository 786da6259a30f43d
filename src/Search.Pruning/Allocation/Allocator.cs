using Search.Model;
using Search.Pruning.Metrics;

namespace Search.Pruning.Allocation;

/// <summary>Turns unit scores into a <see cref="PruningPlan"/> under a structure or explicit per-layer ratios.</summary>
public static class Allocator
{
    /// <summary>
    /// Removes a fraction <paramref name="ratio"/> ∈ [0, 1) of the prunable parameters under
    /// <paramref name="structure"/>: FLAP's published rule (see <see cref="UniformRules"/>,
    /// <see cref="AdaptiveRules"/>), and for the "-exact" twins the budget repair after it.
    /// <paramref name="removeKvGroups"/> is FLAP's <c>remove_heads</c> for UL-MM / AL-MM (KV groups in
    /// the whole model; default int(p·ΣG)). The global rules (AL-*) may empty a block; unless
    /// <paramref name="allowEmptyBlocks"/>, such a block keeps its best unit (FLAP has no guard).
    /// With <paramref name="widthMultiple"/> N &gt; 1 each layer's channel count is then rounded to a
    /// multiple of N (<see cref="WidthRounding"/>) and the exact twins' repair moves N channels at a time.
    /// </summary>
    public static PruningPlan Allocate(Transformer model, IReadOnlyList<LayerUnitScores> scores, PruningStructure structure,
        double ratio, bool allowEmptyBlocks = false, int? removeKvGroups = null, int widthMultiple = 1)
    {
        PruningRatio.Ensure(ratio);
        var rule = PruningStructureNames.PublishedRule(structure);
        bool manual = rule is PruningStructure.UniformLayersManualModules or PruningStructure.AdaptiveLayersManualModules;
        if (removeKvGroups is not null && !manual)
            throw new UserInputException($"a KV-group count applies to UL-MM and AL-MM only, not {PruningStructureNames.Name(structure)}");
        if (removeKvGroups < 0)
            throw new UserInputException($"the number of KV groups to remove must be non-negative (got {removeKvGroups})");
        var (attention, mlp) = Blocks(model, scores);
        int groups = removeKvGroups ?? UniformRules.Truncate(ratio * attention.Sum(b => b.Count));
        switch (rule)
        {
            case PruningStructure.UniformLayersUniformModules:
                UniformRules.UniformModules(attention, mlp, ratio);
                break;
            case PruningStructure.UniformLayersManualModules:
                UniformRules.ManualModules(attention, mlp, ratio, groups);
                break;
            case PruningStructure.AdaptiveLayersManualModules:
                AdaptiveRules.ManualModules(attention, mlp, ratio, groups);
                break;
            case PruningStructure.AdaptiveLayersAdaptiveModules:
                AdaptiveRules.AdaptiveModules(attention, mlp, ratio);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(structure));
        }
        if (!allowEmptyBlocks)
            foreach (var block in attention.Concat(mlp)) block.KeepBestIfEmptied();
        WidthRounding.Round(mlp, widthMultiple);
        var name = PruningStructureNames.Name(structure);
        var plan = Plan(model, PruningStructureNames.Name(rule), ratio, attention, mlp);
        return PruningStructureNames.IsExactBudget(structure)
            ? BudgetRepair.Repair(model, scores, plan, ratio, widthMultiple) with { Structure = name }
            : plan;
    }

    /// <summary>
    /// Each layer removes its own fractions of attention units and MLP channels (the lowest-scoring
    /// ones). The attention unit is the KV group, or query heads inside the groups (the same number
    /// ⌊r·g⌋ from every group, every KV head kept). A ratio of exactly 1 removes the whole block
    /// (depth pruning: the residual passes through, with its compensation bias if any); a smaller
    /// ratio that would remove every unit is refused unless <paramref name="allowEmptyBlocks"/>.
    /// With <paramref name="widthMultiple"/> N &gt; 1 each kept MLP is rounded to a multiple of N channels.
    /// </summary>
    public static PruningPlan AllocateLayerRatios(Transformer model, IReadOnlyList<LayerUnitScores> scores, LayerRatios ratios,
        bool allowEmptyBlocks = false, AttentionUnit unit = AttentionUnit.KvGroup, int widthMultiple = 1)
    {
        int layers = model.Layers.Count;
        if (ratios.Attention.Count != layers || ratios.Mlp.Count != layers)
            throw new UserInputException(
                $"layer ratios: the model has {layers} layers, got {ratios.Attention.Count} attention and {ratios.Mlp.Count} MLP ratios");
        var (attention, mlp) = Blocks(model, scores);
        var keptHeads = new int[]?[layers];
        long headsRemovedCost = 0;
        double requested = 0, total = 0;
        for (int l = 0; l < layers; l++)
        {
            foreach (var (block, r, what) in new[] { (attention[l], ratios.Attention[l], "attention"), (mlp[l], ratios.Mlp[l], "MLP") })
            {
                if (!(r >= 0 && r <= 1))
                    throw new UserInputException($"layer ratios: layer {l} {what} ratio must be in [0, 1] (got {r})");
                requested += r * block.Count * block.UnitCost;
                total += (double)block.Count * block.UnitCost;
                bool removeBlock = r >= 1;
                if (block.IsAttention && unit == AttentionUnit.QueryHead && !removeBlock)
                {
                    (keptHeads[l], long cost) = KeepHeadsInGroups(model.Layers[l], scores[l], r);
                    headsRemovedCost += cost;
                    continue;
                }
                if (block.Count > 0 && FloorShare(r, block.Count) == block.Count && !allowEmptyBlocks && !removeBlock)
                    throw new UserInputException($"layer ratios: layer {l} {what} ratio {r} removes the whole block; use ratio 1 to skip the block");
                block.RemoveLowest(FloorShare(r, block.Count), allowEmptyBlocks || removeBlock);
            }
        }
        WidthRounding.Round(mlp, widthMultiple);
        return Plan(model, "layer-ratios", total > 0 ? requested / total : 0, attention, mlp, keptHeads, headsRemovedCost);
    }

    /// <summary>
    /// Query heads kept when each KV group of the layer removes ⌊r·g⌋ of its g heads (its lowest-scoring
    /// ones), and the parameters that removes.
    /// </summary>
    private static (int[]? Kept, long RemovedCost) KeepHeadsInGroups(DecoderLayerWeights layer, LayerUnitScores scores, double r)
    {
        var w = layer.Widths;
        int g = w.GroupSize, remove = FloorShare(r, g);
        if (w.NumHeads == 0 || remove == 0) return (null, 0);
        if (remove >= g) remove = g - 1; // keep one head per group: removing them all is the block level (r = 1)
        var headScores = scores.QueryHeads ?? throw new ArgumentException("query-head allocation needs per-head scores");
        var kept = new List<int>();
        for (int k = 0; k < w.NumKvHeads; k++)
            kept.AddRange(Enumerable.Range(k * g, g).OrderByDescending(q => headScores[q]).ThenBy(q => q).Take(g - remove));
        kept.Sort();
        return (kept.ToArray(), (long)remove * w.NumKvHeads * LayerUnitCosts.Of(layer).QueryHeadCost);
    }

    /// <summary>A plan that keeps everything (ratio 0).</summary>
    public static PruningPlan Identity(Transformer model)
    {
        var (attention, mlp) = Blocks(model, null);
        return Plan(model, "identity", 0, attention, mlp);
    }

    /// <summary>⌊r·n⌋, with a tolerance so that 0.3·10 counts as 3 (per-layer ratios only; FLAP's rules truncate like Python).</summary>
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

    private static PruningPlan Plan(Transformer model, string structure, double target, List<UnitBlock> attention, List<UnitBlock> mlp,
        int[]?[]? keptHeads = null, long headsRemovedCost = 0)
    {
        long total = attention.Sum(b => (long)b.Count * b.UnitCost) + mlp.Sum(b => (long)b.Count * b.UnitCost);
        long removed = attention.Sum(b => b.RemovedCost) + mlp.Sum(b => b.RemovedCost) + headsRemovedCost;
        var layers = Enumerable.Range(0, attention.Count)
            .Select(l => new LayerPlan(attention[l].Count, model.Layers[l].Widths.GroupSize, attention[l].KeptIndices(),
                mlp[l].Count, mlp[l].KeptIndices(), keptHeads?[l]))
            .ToList();
        return new PruningPlan(structure, target, total > 0 ? (double)removed / total : 0, total, removed, layers);
    }
}

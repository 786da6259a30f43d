using Search.Model;

namespace Search.Pruning.Allocation;

/// <summary>
/// FLAP's global structures, as in CASIA-IVA-Lab/FLAP lib/prune.py <c>prune_flap</c> (the "AL-MM" / "AL-AM"
/// branch after <c>standarlization</c>). Scores are per-layer standardized, so units of different layers
/// and modules compare. Both end in a strict keep test (score &gt; τ): every unit tied with τ goes.
/// </summary>
internal static class AdaptiveRules
{
    private readonly record struct Unit(double Score, long Cost);

    /// <summary>
    /// AL-AM: rank the units of all blocks by score, descending (stable: ties keep the order attention of
    /// layers 0..L−1, then MLP of layers 0..L−1, as FLAP concatenates them); k = first argmin_k
    /// |Σ_{i≤k} cost_i − (1−p)·Σ cost|; τ = score of unit k; keep score &gt; τ. Unit k itself goes, so the
    /// plan removes up to one unit more than p. FLAP weighs a head 512/3 MLP channels (LLaMA-7B); here
    /// every unit weighs its exact parameter count, which gives the same 512/3 on MHA with h = 128.
    /// At p = 0 nothing goes (FLAP's rule would still drop the lowest unit).
    /// </summary>
    public static void AdaptiveModules(IReadOnlyList<UnitBlock> attention, IReadOnlyList<UnitBlock> mlp, double ratio)
    {
        if (ratio == 0) return;
        var ranked = Units(attention.Concat(mlp));
        if (ranked.Count == 0) return;
        double target = (1 - ratio) * ranked.Sum(u => u.Cost);
        long cumulative = 0;
        int k = 0;
        double closest = double.PositiveInfinity;
        for (int i = 0; i < ranked.Count; i++)
        {
            cumulative += ranked[i].Cost;
            double gap = Math.Abs(cumulative - target);
            if (gap < closest)
            {
                closest = gap;
                k = i;
            }
        }
        double threshold = ranked[k].Score;
        foreach (var block in attention.Concat(mlp)) block.KeepAbove(threshold);
    }

    /// <summary>
    /// AL-MM: the <paramref name="removeKvGroups"/> lowest KV groups of the whole model go (τ = the
    /// N-th smallest group score, keep &gt; τ); then m = int((p·Σcost − cost of those N groups) / channel
    /// cost) channels go the same way (FLAP's <c>cal_remove_neuron</c>, costs from the shapes).
    /// FLAP's sorted[-0] would remove every unit at N = 0; here N = 0 removes none.
    /// </summary>
    public static void ManualModules(IReadOnlyList<UnitBlock> attention, IReadOnlyList<UnitBlock> mlp, double ratio, int removeKvGroups)
    {
        var groups = Units(attention);
        if (removeKvGroups > groups.Count)
            throw new UserInputException($"AL-MM: cannot remove {removeKvGroups} KV groups, the model has {groups.Count}");
        long prunable = groups.Sum(u => u.Cost) + mlp.Sum(b => b.Count * b.UnitCost);
        long removedGroupCost = groups.Skip(groups.Count - removeKvGroups).Sum(u => u.Cost);
        KeepAboveNthLowest(attention, groups, removeKvGroups);

        var channels = Units(mlp);
        if (channels.Count == 0) return;
        // Layers share d, so MLP channels cost the same everywhere; the mean covers any exception.
        double channelCost = channels.Average(u => u.Cost);
        int count = UniformRules.Truncate((ratio * prunable - removedGroupCost) / channelCost);
        KeepAboveNthLowest(mlp, channels, Math.Clamp(count, 0, channels.Count));
    }

    private static void KeepAboveNthLowest(IReadOnlyList<UnitBlock> blocks, List<Unit> ranked, int n)
    {
        if (n == 0) return;
        double threshold = ranked[ranked.Count - n].Score;
        foreach (var block in blocks) block.KeepAbove(threshold);
    }

    /// <summary>Every unit of <paramref name="blocks"/> (in block order, then unit order), sorted by score descending, stably.</summary>
    private static List<Unit> Units(IEnumerable<UnitBlock> blocks) =>
        blocks.SelectMany(b => b.Scores.Select(s => new Unit(s, b.UnitCost)))
            .OrderByDescending(u => u.Score)
            .ToList();
}

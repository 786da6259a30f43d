namespace Search.Pruning.Allocation;

/// <summary>
/// Adaptive allocation across blocks (FLAP AL-*): rank units of all given blocks together by score
/// (scores are per-layer standardized, so they compare across layers and modules) and keep the best
/// until the kept cost is closest to the target, as FLAP's argmin |cumsum − target| does. The
/// result is within one unit's cost of the target unless the never-empty guard forces more.
/// </summary>
internal static class GlobalRanking
{
    /// <param name="costOf">Cost used for the budget (the unit's parameters, or 1 to count units).</param>
    public static void KeepBest(IReadOnlyList<UnitBlock> blocks, double targetKeptCost, bool allowEmpty, Func<UnitBlock, long> costOf)
    {
        var candidates = new List<(UnitBlock Block, int Unit)>();
        double kept = 0;
        foreach (var block in blocks)
        {
            Array.Fill(block.Kept, false);
            if (block.Count == 0) continue;
            int reserved = -1;
            if (!allowEmpty)
            {
                // The guard: the best unit of every block is kept before the budget is spent.
                reserved = block.Best();
                block.Kept[reserved] = true;
                kept += costOf(block);
            }
            for (int i = 0; i < block.Count; i++)
                if (i != reserved) candidates.Add((block, i));
        }
        var ranked = candidates
            .OrderByDescending(c => c.Block.Scores[c.Unit])
            .ThenBy(c => c.Block.Layer).ThenBy(c => c.Block.IsAttention ? 0 : 1).ThenBy(c => c.Unit)
            .ToList();
        foreach (var (block, unit) in ranked)
        {
            double cost = costOf(block);
            if (kept >= targetKeptCost) break;
            // Keep this unit if that lands closer to the target than stopping short of it.
            if (kept + cost - targetKeptCost > targetKeptCost - kept) break;
            block.Kept[unit] = true;
            kept += cost;
        }
    }
}

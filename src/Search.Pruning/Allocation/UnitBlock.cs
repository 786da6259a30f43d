namespace Search.Pruning.Allocation;

/// <summary>
/// The units of one layer's attention or MLP block during allocation: their scores, a common unit
/// cost, and which are kept (all, to start with).
/// </summary>
internal sealed class UnitBlock(int layer, bool isAttention, double[] scores, long unitCost)
{
    public int Layer { get; } = layer;
    public bool IsAttention { get; } = isAttention;
    public double[] Scores { get; } = scores;
    public long UnitCost { get; } = unitCost;
    public bool[] Kept { get; } = Enumerable.Repeat(true, scores.Length).ToArray();

    public int Count => Scores.Length;
    public long KeptCost => Kept.Count(k => k) * UnitCost;
    public long RemovedCost => Kept.Count(k => !k) * UnitCost;

    /// <summary>Unit indices by ascending score; ties go to the lower index so plans are deterministic.</summary>
    public int[] AscendingByScore() =>
        Enumerable.Range(0, Count).OrderBy(i => Scores[i]).ThenBy(i => i).ToArray();

    /// <summary>The best unit: the one a block keeps when it may not be emptied.</summary>
    public int Best() => AscendingByScore()[^1];

    /// <summary>Removes the <paramref name="count"/> lowest-scoring units (at most all but one unless <paramref name="allowEmpty"/>).</summary>
    public void RemoveLowest(int count, bool allowEmpty)
    {
        count = Math.Clamp(count, 0, allowEmpty ? Count : Math.Max(0, Count - 1));
        foreach (int i in AscendingByScore().Take(count)) Kept[i] = false;
    }

    /// <summary>
    /// FLAP's per-layer threshold (lib/prune.py, UL-UM / UL-MM branches): τ = the score at
    /// <paramref name="rank"/> (0-based) of the ascending sort, keep every unit scoring ≥ τ. Ties at τ
    /// stay, so at most <paramref name="rank"/> units go; rank &lt; Count never empties the block.
    /// </summary>
    public void KeepFromRank(int rank)
    {
        if (Count == 0) return;
        double threshold = Scores.Order().ElementAt(rank);
        for (int i = 0; i < Count; i++) Kept[i] = Scores[i] >= threshold;
    }

    /// <summary>FLAP's global keep test (AL-AM / AL-MM): a unit stays only if its score is strictly above <paramref name="threshold"/>.</summary>
    public void KeepAbove(double threshold)
    {
        for (int i = 0; i < Count; i++) Kept[i] = Scores[i] > threshold;
    }

    /// <summary>The never-empty guard: a block that lost every unit gets its best one back (FLAP has no such guard).</summary>
    public void KeepBestIfEmptied()
    {
        if (Count > 0 && !Kept.Any(k => k)) Kept[Best()] = true;
    }

    public int[] KeptIndices() => Enumerable.Range(0, Count).Where(i => Kept[i]).ToArray();
}

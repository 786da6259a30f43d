namespace Search.Optimization.Levels;

/// <summary>
/// The allocation space of a level search, torch-free: per layer how many attention units and MLP
/// channels may go (bounds from the space's layer-ratio grid), what each costs in parameters, and the
/// budget — remove at least <see cref="TargetRemoved"/> parameters, and less than one MLP step more.
/// Mutations move removal between layers (an MLP step of a few percent of a layer's channels, one
/// attention unit) or between the modules of the model; <see cref="Repair"/> then restores the budget
/// with single MLP channels, so every candidate costs what the budget allows (the objective's own budget
/// repair makes it exact, as it does for every searched config).
/// </summary>
public sealed record LevelProblem(
    IReadOnlyList<int> AttentionMax, IReadOnlyList<long> AttentionUnitCost,
    IReadOnlyList<int> MlpMax, IReadOnlyList<long> ChannelCost,
    double TargetRemoved, int MlpStep, int ChannelMultiple = 1)
{
    public int Layers => AttentionMax.Count;

    public double Removed(LevelGenome g)
    {
        double r = 0;
        for (int l = 0; l < Layers; l++) r += (double)g.Attention[l] * AttentionUnitCost[l] + (double)g.Mlp[l] * ChannelCost[l];
        return r;
    }

    /// <summary>A changed copy: 1 to <paramref name="maxMoves"/> moves (MLP shifts 60%, attention shifts 20%, module trades 20%), then <see cref="Repair"/>.</summary>
    public LevelGenome Mutate(LevelGenome parent, Random rng, int maxMoves = 3)
    {
        var a = parent.AttentionCopy();
        var m = parent.MlpCopy();
        int moves = 1 + rng.Next(Math.Max(1, maxMoves));
        for (int k = 0; k < moves; k++)
        {
            double u = rng.NextDouble();
            if (u < 0.6) Shift(m, MlpMax, MlpStep, rng);
            else if (u < 0.8) Shift(a, AttentionMax, 1, rng);
            else
            {
                // Trade between modules: one attention unit more (or fewer) removed somewhere; the repair pays for it in MLP channels.
                int l = rng.Next(Layers);
                if (rng.Next(2) == 0 && a[l] < AttentionMax[l]) a[l]++;
                else if (a[l] > 0) a[l]--;
            }
        }
        return Repair(new LevelGenome(a, m), rng);
    }

    /// <summary>Moves <paramref name="step"/> units of removal from one random layer to another when both stay in bounds.</summary>
    private void Shift(int[] removed, IReadOnlyList<int> max, int step, Random rng)
    {
        if (Layers < 2) return;
        for (int attempt = 0; attempt < 8; attempt++)
        {
            int from = rng.Next(Layers), to = rng.Next(Layers - 1);
            if (to >= from) to++;
            int s = Math.Min(step, removed[from]);
            if (s <= 0 || removed[to] + s > max[to]) continue;
            removed[from] -= s;
            removed[to] += s;
            return;
        }
    }

    /// <summary>
    /// Removes MLP channels (<see cref="ChannelMultiple"/> at a time, random layers with room) while under the budget,
    /// then restores them while a step could be restored and stay at or over it.
    /// </summary>
    public LevelGenome Repair(LevelGenome g, Random rng)
    {
        var a = g.AttentionCopy();
        var m = g.MlpCopy();
        int n = ChannelMultiple;
        double removed = 0;
        for (int l = 0; l < Layers; l++) removed += (double)a[l] * AttentionUnitCost[l] + (double)m[l] * ChannelCost[l];
        int guard = 0;
        while (removed < TargetRemoved && guard++ < 1_000_000)
        {
            var open = Enumerable.Range(0, Layers).Where(l => m[l] + n <= MlpMax[l]).ToList();
            if (open.Count == 0)
            {
                var grow = Enumerable.Range(0, Layers).Where(l => a[l] < AttentionMax[l]).ToList();
                if (grow.Count == 0) break;
                int la = grow[rng.Next(grow.Count)];
                a[la]++;
                removed += AttentionUnitCost[la];
                continue;
            }
            int l2 = open[rng.Next(open.Count)];
            m[l2] += n;
            removed += n * ChannelCost[l2];
        }
        while (guard++ < 2_000_000)
        {
            var back = Enumerable.Range(0, Layers).Where(l => m[l] >= n && removed - n * ChannelCost[l] >= TargetRemoved).ToList();
            if (back.Count == 0) break;
            int l3 = back[rng.Next(back.Count)];
            m[l3] -= n;
            removed -= n * ChannelCost[l3];
        }
        return new LevelGenome(a, m);
    }
}

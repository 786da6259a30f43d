using Search.Optimization.Spaces;

namespace Search.Optimization.Samplers;

/// <summary>
/// DarwinLM's budget-preserving mutation (docs/methods.md §6) at a move size of <c>factor</c> grid
/// steps: each move takes <c>factor</c> levels from one layer of a module type and gives them to
/// another, so the level sum per type (the budget) never changes and every level stays on the
/// dimension's grid. A coarse factor (4 steps of 0.05 = 0.2) explores allocations far from the parent;
/// factor 1 is the dimension's own step. Where no pair of layers can move by the factor (the parent
/// sits near the grid's ends), the move halves until one can.
/// </summary>
internal static class CoarseMutation
{
    /// <summary>Bounded so a grid too small to hold enough distinct children gives fewer instead of looping.</summary>
    private const int AttemptsPerChild = 200;

    public static Genome Mutate(Genome parent, IReadOnlyList<LayerRatiosDimension> dimensions, int factor, int maxMoves, Random rng)
    {
        var child = parent.Copy();
        var moves = Math.Min(rng.Next(1, maxMoves + 1), rng.Next(1, maxMoves + 1));
        for (var i = 0; i < moves; i++)
        {
            var type = rng.Next(dimensions.Count);
            TryMove(child.LevelsPerModuleType[type], dimensions[type].MaxLevel, factor, rng);
        }
        return child;
    }

    /// <summary>Moves <paramref name="factor"/> levels (halved until feasible) from one random layer to another; false when no move of one level exists.</summary>
    public static bool TryMove(int[] levels, int maxLevel, int factor, Random rng)
    {
        if (levels.Length < 2) return false;
        for (var step = Math.Min(factor, maxLevel); step >= 1; step /= 2)
        {
            var downs = Enumerable.Range(0, levels.Length).Where(l => levels[l] >= step).ToArray();
            var ups = Enumerable.Range(0, levels.Length).Where(l => levels[l] <= maxLevel - step).ToArray();
            if (downs.Length == 0 || ups.Length == 0 || downs.Length == 1 && ups.Length == 1 && downs[0] == ups[0]) continue;
            int down, up;
            do
            {
                down = downs[rng.Next(downs.Length)];
                up = ups[rng.Next(ups.Length)];
            } while (down == up);
            levels[down] -= step;
            levels[up] += step;
            return true;
        }
        return false;
    }

    /// <summary>
    /// Up to <paramref name="count"/> distinct children, none equal to <paramref name="parent"/> or to
    /// anything in <paramref name="exclude"/>; fewer when the grid cannot hold that many.
    /// </summary>
    public static List<Genome> Offspring(Genome parent, IReadOnlyList<LayerRatiosDimension> dimensions, int factor, int maxMoves, int count,
        IEnumerable<Genome> exclude, Random rng)
    {
        var children = new List<Genome>(count);
        var seen = new HashSet<Genome>(exclude) { parent };
        for (var attempt = 0; children.Count < count && attempt < AttemptsPerChild * count; attempt++)
        {
            var child = Mutate(parent, dimensions, factor, maxMoves, rng);
            if (seen.Add(child)) children.Add(child);
        }
        return children;
    }
}

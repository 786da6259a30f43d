using Search.Optimization.Spaces;

namespace Search.Optimization.Samplers;

/// <summary>
/// DarwinLM mutation (docs/methods.md §6): repeat m = min(U{1..3}, U{1..3}) times: pick a module type,
/// move one of its modules down a level and another up one. The level sum per type, hence the
/// budget, never changes. Offspring equal to the parent or to an earlier sibling are redrawn.
/// </summary>
public static class BudgetPreservingMutation
{
    public const int MaxMutationsPerChild = 3;

    /// <summary>Bounded so a space too small to hold enough distinct children fails loudly instead of looping.</summary>
    private const int MaxAttemptsPerChild = 10_000;

    public static Genome Mutate(Genome parent, IReadOnlyList<LayerRatiosDimension> dimensions, Random rng)
    {
        var child = parent.Copy();
        var mutations = Math.Min(rng.Next(1, MaxMutationsPerChild + 1), rng.Next(1, MaxMutationsPerChild + 1));
        for (var i = 0; i < mutations; i++)
        {
            var type = rng.Next(dimensions.Count);
            // A shift fails only when the drawn pair sits at the grid's ends; redraw a few times.
            for (var attempt = 0; attempt < 32 && !dimensions[type].TryShiftOneLevel(child.LevelsPerModuleType[type], rng); attempt++) { }
        }
        return child;
    }

    public static IReadOnlyList<Genome> Offspring(Genome parent, IReadOnlyList<LayerRatiosDimension> dimensions, int count, Random rng)
    {
        var children = new List<Genome>(count);
        var seen = new HashSet<Genome> { parent };
        for (var attempt = 0; children.Count < count; attempt++)
        {
            if (attempt >= MaxAttemptsPerChild * count)
                throw new OptimizationInputException(
                    $"evolutionary sampler: found only {children.Count} distinct offspring of {count}; the layer_ratios grid is too small");
            var child = Mutate(parent, dimensions, rng);
            if (seen.Add(child)) children.Add(child);
        }
        return children;
    }
}

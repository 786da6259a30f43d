using Search.Model;
using Search.Pruning.Allocation;
using Search.Pruning.Metrics;
using Search.Pruning.Statistics;
using Search.Pruning.Surgery;

namespace Search.Pruning.Pipeline;

/// <summary>
/// The one pruning pipeline: statistics → metric-mixture scores → plan (allocation, budget repair)
/// → surgery. <see cref="Plan"/>, <see cref="Pruned"/> and <see cref="Prune"/> are the steps every caller
/// shares (the <c>prune</c> command's run in Search.Application, the search objective, benchmarks). The
/// dense model is only read.
/// </summary>
public static class PrunePipeline
{
    /// <summary>
    /// Scores every unit with the recipe's mixture and allocates under its spec; <paramref name="scores"/>
    /// (for <paramref name="dense"/>) serves unit scores already computed for these statistics.
    /// </summary>
    public static PruningPlan Plan(Transformer dense, ChannelStats? stats, PruningRecipe recipe, UnitScoreCache? scores = null)
    {
        recipe.Allocation.EnsureFits(dense);
        if (recipe.NeedsStatistics && stats is null)
            throw new UserInputException("this metric mixture or compensation needs calibration statistics");
        return recipe.Allocation.Plan(dense, recipe.Mixture.Score(dense, stats, scores));
    }

    /// <summary>Calibration windows a least-squares reconstruction uses at most (the first ones of its set).</summary>
    public const int MaxReconstructionWindows = 128;

    /// <summary>
    /// The pruned model of a plan, built one layer at a time on use (evaluation, export). With a
    /// least-squares compensation its o/down projections are refitted first on the first
    /// <see cref="MaxReconstructionWindows"/> of <paramref name="calibration"/> (the caller disposes the result).
    /// </summary>
    public static PrunedLayers Pruned(Transformer dense, PruningPlan plan, ChannelStats? stats, PruningRecipe recipe,
        TokenWindows? calibration = null)
    {
        var pruned = new PrunedLayers(dense, plan, stats, recipe.Compensation);
        if (!recipe.Compensation.Refits()) return pruned;
        try
        {
            var windows = (calibration ?? throw new UserInputException("least-squares reconstruction needs calibration windows"))
                .Take(MaxReconstructionWindows);
            pruned.Reconstruct(windows.Ids, windows.Count, windows.SeqLen, Math.Max(1, 4096 / windows.SeqLen));
            return pruned;
        }
        catch
        {
            pruned.Dispose();
            throw;
        }
    }

    /// <summary>The pruned model of a plan, every layer built now (the caller disposes it; it shares the dense embeddings).</summary>
    public static Transformer Prune(Transformer dense, PruningPlan plan, ChannelStats? stats, PruningRecipe recipe) =>
        Surgery.Surgery.Apply(dense, plan, stats, recipe.Compensation);

}

using System.Diagnostics;
using Search.Data;
using Search.Data.Evaluation;
using Search.Model;
using Search.Pruning.Allocation;
using Search.Pruning.Metrics;
using Search.Pruning.Statistics;
using Search.Pruning.Surgery;

namespace Search.Pruning.Pipeline;

/// <summary>
/// The one pruning pipeline: statistics → metric-mixture scores → plan (allocation, budget repair)
/// → surgery. <see cref="Plan"/> and <see cref="Prune"/> are the steps every caller shares (the
/// <c>prune</c> command, the search objective, benchmarks); <see cref="Run"/> is the command's
/// whole run with calibration and dense/pruned perplexity, each stage timed. The dense model is
/// only read.
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
        CalibrationWindows? calibration = null)
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

    /// <param name="onStage">Called with a stage name ("calibrating", "evaluating dense", …) and its unit count.</param>
    public static PruneOutcome Run(Transformer dense, string modelHash, PruneRequest request,
        Func<string, int, Action<int>>? onStage = null)
    {
        var recipe = request.Recipe;
        recipe.Allocation.EnsureFits(dense);
        Action<int> Stage(string name, int total) => onStage?.Invoke(name, total) ?? (_ => { });

        var sw = Stopwatch.StartNew();
        ChannelStats? stats = null;
        bool? fromCache = null;
        if (recipe.NeedsStatistics)
        {
            var windows = request.Calibration
                          ?? throw new ArgumentException("this mixture or compensation needs calibration windows");
            var pool = request.CalibrationPool ?? throw new ArgumentException("calibration windows need their pool spec");
            CalibrationStatistics sums;
            if (request.StatsCache is { } cache)
            {
                sums = cache.GetOrCollect(dense, modelHash, pool, BosMode.Corpus, windows, request.CalibrationBatchSize,
                    out var hit, Stage("calibration statistics", windows.Count));
                fromCache = hit;
            }
            else
            {
                sums = CalibrationStatistics.Collect(dense, windows.Ids, windows.Count, windows.SeqLen,
                    request.CalibrationBatchSize, Stage("calibration statistics", windows.Count));
                fromCache = false;
            }
            stats = sums.AggregateAll(request.StatisticsMode);
        }
        double statsSeconds = Lap(sw);

        var plan = Plan(dense, stats, recipe);
        double scoringSeconds = Lap(sw);

        var pruned = Pruned(dense, plan, stats, recipe, request.Calibration);
        try
        {
            double surgerySeconds = Lap(sw);
            var eval = request.Evaluation;
            PerplexityResult Evaluate(IDecoderLayers model, string hash, string stage) =>
                PerplexityEvaluator.Evaluate(model, eval.Ids, eval.Count, eval.SeqLen, eval.Protocol.Dataset, eval.Protocol.Split,
                    BosModes.Name(eval.Protocol.Bos), hash, onBatch: Stage(stage, eval.Count));
            var densePpl = Evaluate(dense, modelHash, "evaluating dense");
            double denseSeconds = Lap(sw);
            // The pruned model has no files yet, so no content hash: "pruned" marks it in the record.
            // Surgery runs layer by layer inside this evaluation; PrunedLayers times its share.
            var prunedPpl = Evaluate(pruned, "pruned", "evaluating pruned");
            double prunedSeconds = Lap(sw) - pruned.SurgerySeconds;
            surgerySeconds += pruned.SurgerySeconds;
            return new PruneOutcome(pruned, plan, densePpl, prunedPpl,
                new PruneTimings(statsSeconds, scoringSeconds, surgerySeconds, denseSeconds, prunedSeconds),
                fromCache, dense.Config.ParameterCount(), pruned.Config.ParameterCount());
        }
        catch
        {
            pruned.Dispose();
            throw;
        }
    }

    private static double Lap(Stopwatch sw)
    {
        double seconds = sw.Elapsed.TotalSeconds;
        sw.Restart();
        return seconds;
    }
}

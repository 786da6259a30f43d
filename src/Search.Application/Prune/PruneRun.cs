using System.Diagnostics;
using Search.Data;
using Search.Data.Evaluation;
using Search.Model;
using Search.Objective;
using Search.Pruning.Pipeline;
using Search.Pruning.Statistics;

namespace Search.Application.Prune;

/// <summary>
/// The <c>prune</c> command's whole run on the pruning engine (<see cref="PrunePipeline"/>): calibration
/// statistics (from the cache or one dense pass), plan, pruned model, and dense/pruned perplexity, each
/// stage timed. Lives here, not in the engine, because it reads corpora and scores perplexity.
/// </summary>
public static class PruneRun
{
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

        var plan = PrunePipeline.Plan(dense, stats, recipe);
        double scoringSeconds = Lap(sw);

        var pruned = PrunePipeline.Pruned(dense, plan, stats, recipe, request.Calibration?.Tokens);
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

using System.Diagnostics;
using Search.Model;
using Search.Pruning.Data;
using Search.Pruning.Evaluation;
using Search.Pruning.Pruning.Statistics;

namespace Search.Pruning.Pruning.Pipeline;

/// <summary>
/// Calibration statistics → metric-mixture scores → plan → surgery → perplexity of dense and pruned,
/// with each stage timed. The dense model is only read; the caller owns both models.
/// </summary>
public static class PrunePipeline
{
    /// <param name="onStage">Called with a stage name ("calibrating", "evaluating dense", …) and its unit count.</param>
    public static PruneOutcome Run(Transformer dense, string modelHash, PruneRequest request,
        Func<string, int, Action<int>>? onStage = null)
    {
        request.Allocation.EnsureFits(dense);
        Action<int> Stage(string name, int total) => onStage?.Invoke(name, total) ?? (_ => { });

        var sw = Stopwatch.StartNew();
        ChannelStats? stats = null;
        bool? fromCache = null;
        if (PruneRequest.NeedsStatistics(request.Mixture, request.Compensation))
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
            stats = sums.AggregateAll();
        }
        double statsSeconds = Lap(sw);

        var scores = request.Mixture.Score(dense, stats);
        var plan = request.Allocation.Plan(dense, scores);
        double scoringSeconds = Lap(sw);

        var pruned = Surgery.Surgery.Apply(dense, plan, stats, request.Compensation);
        try
        {
            double surgerySeconds = Lap(sw);
            var eval = request.Evaluation;
            PerplexityResult Evaluate(Transformer model, string hash, string stage) =>
                PerplexityEvaluator.Evaluate(model, eval.Ids, eval.Count, eval.SeqLen, eval.Protocol.Dataset, eval.Protocol.Split,
                    eval.Protocol.Bos.ToString().ToLowerInvariant(), hash, onBatch: Stage(stage, eval.Count));
            var densePpl = Evaluate(dense, modelHash, "evaluating dense");
            double denseSeconds = Lap(sw);
            // The pruned model has no files yet, so no content hash: "pruned" marks it in the record.
            var prunedPpl = Evaluate(pruned, "pruned", "evaluating pruned");
            double prunedSeconds = Lap(sw);
            return new PruneOutcome(pruned, plan, densePpl, prunedPpl,
                new PruneTimings(statsSeconds, scoringSeconds, surgerySeconds, denseSeconds, prunedSeconds),
                fromCache, dense.ParameterCount(), pruned.ParameterCount());
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

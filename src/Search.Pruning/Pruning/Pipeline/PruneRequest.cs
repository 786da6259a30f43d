using Search.Pruning.Data;
using Search.Pruning.Pruning.Allocation;
using Search.Pruning.Pruning.Metrics;
using Search.Pruning.Pruning.Statistics;
using Search.Pruning.Pruning.Surgery;

namespace Search.Pruning.Pruning.Pipeline;

/// <summary>
/// One prune-and-evaluate run with its data already resolved to token windows.
/// <paramref name="Calibration"/> may be null only when the mixture is data-free and compensation is none.
/// </summary>
/// <param name="StatsCache">Where calibration sums are reused across processes; null collects every time.</param>
/// <param name="CalibrationBatchSize">Windows per dense forward call of the calibration pass.</param>
public sealed record PruneRequest(
    MetricMixture Mixture,
    AllocationSpec Allocation,
    Compensation Compensation,
    PoolSpec? CalibrationPool,
    CalibrationWindows? Calibration,
    EvalWindows Evaluation,
    CalibrationStatsCache? StatsCache,
    int CalibrationBatchSize = 16)
{
    /// <summary>Whether the run needs calibration statistics at all.</summary>
    public static bool NeedsStatistics(MetricMixture mixture, Compensation compensation) =>
        mixture.NeedsStatistics || compensation == Compensation.FlapBias;
}

using Search.Data;
using Search.Objective;
using Search.Pruning.Pipeline;
using Search.Pruning.Statistics;

namespace Search.Application.Prune;

/// <summary>
/// One prune-and-evaluate run with its data already resolved to token windows.
/// <paramref name="Calibration"/> may be null only when the recipe needs no statistics.
/// </summary>
/// <param name="StatsCache">Where calibration sums are reused across processes; null collects every time.</param>
/// <param name="CalibrationBatchSize">Windows per dense forward call of the calibration pass.</param>
/// <param name="StatisticsMode">Pooled moments (default) or FLAP's running update for bit-level reproduction.</param>
public sealed record PruneRequest(
    PruningRecipe Recipe,
    PoolSpec? CalibrationPool,
    CalibrationWindows? Calibration,
    EvalWindows Evaluation,
    CalibrationStatsCache? StatsCache,
    int CalibrationBatchSize = 16,
    StatisticsMode StatisticsMode = StatisticsMode.Pooled);

namespace Search.Pruning.Statistics;

/// <summary>
/// Calibration statistics of a chosen set of windows, one entry per decoder layer: what metrics and
/// the bias compensation read. Built by summing per-window sums (<see cref="CalibrationStatistics.Aggregate"/>).
/// </summary>
/// <param name="Layers">One entry per decoder layer, in order.</param>
/// <param name="Windows">How many calibration windows were summed.</param>
/// <param name="Mode">How the sums became moments (pooled, or FLAP's running update).</param>
public sealed record ChannelStats(IReadOnlyList<LayerChannelStats> Layers, int Windows, StatisticsMode Mode = StatisticsMode.Pooled);

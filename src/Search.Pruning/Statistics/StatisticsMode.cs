using Search.Model;

namespace Search.Pruning.Statistics;

/// <summary>How per-window sums become the <see cref="ChannelMoments"/> that metrics and the bias read.</summary>
public enum StatisticsMode
{
    /// <summary>
    /// Default: moments of all chosen tokens pooled, in float64 — μ = E[x], F = population variance,
    /// s = E[x²]. Order-free, so the pool's first n windows are a prefix sum.
    /// </summary>
    Pooled,
    /// <summary>
    /// FLAP's running update, for bit-level reproduction (<see cref="FlapRunningMoments"/>): the whole
    /// pool's windows in pool order, the first one dropped from F, the update using the already-updated mean, s the
    /// running mean of per-window Σx², μ rounded to fp16. F and s differ from Pooled by about a factor T
    /// (which per-layer standardization removes) and in rounding-level detail.
    /// </summary>
    FlapExact,
}

/// <summary>The spellings of <see cref="StatisticsMode"/>: "pooled", "flap-exact".</summary>
public static class StatisticsModeNames
{
    public static StatisticsMode Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "pooled" => StatisticsMode.Pooled,
        "flap-exact" => StatisticsMode.FlapExact,
        _ => throw new UserInputException($"unknown statistics mode '{name}' (expected pooled or flap-exact)"),
    };

    public static string Name(StatisticsMode mode) => mode == StatisticsMode.FlapExact ? "flap-exact" : "pooled";
}

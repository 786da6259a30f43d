namespace Search.Pruning.Pruning.Statistics;

/// <summary>
/// Per-window sums of one activation site: Σx and Σx² per channel (float64, row-major
/// [windows, channels]) and the token count of each window. Any subset of windows is summarized by
/// adding rows, so a new calibration subset never needs a new forward pass.
/// </summary>
public sealed class SiteWindowSums
{
    public int Windows { get; }
    public int Channels { get; }
    /// <summary>[windows, channels] row-major.</summary>
    public double[] Sum { get; }
    /// <summary>[windows, channels] row-major.</summary>
    public double[] SumOfSquares { get; }
    /// <summary>[windows]: token positions each window contributed.</summary>
    public long[] Tokens { get; }

    public SiteWindowSums(int windows, int channels)
        : this(windows, channels, new double[(long)windows * channels], new double[(long)windows * channels], new long[windows])
    {
    }

    internal SiteWindowSums(int windows, int channels, double[] sum, double[] sumOfSquares, long[] tokens)
    {
        Windows = windows;
        Channels = channels;
        Sum = sum;
        SumOfSquares = sumOfSquares;
        Tokens = tokens;
    }

    /// <summary>
    /// Moments over the given windows (indices may repeat: a window counted twice weighs twice). Under
    /// <see cref="StatisticsMode.FlapExact"/> the order of <paramref name="windowIndices"/> matters.
    /// </summary>
    public ChannelMoments Aggregate(IReadOnlyList<int> windowIndices, StatisticsMode mode = StatisticsMode.Pooled)
    {
        if (mode == StatisticsMode.FlapExact) return FlapRunningMoments.FromWindowSums(this, windowIndices);
        var sum = new double[Channels];
        var sumSq = new double[Channels];
        long tokens = 0;
        foreach (int w in windowIndices)
        {
            if ((uint)w >= (uint)Windows)
                throw new ArgumentOutOfRangeException(nameof(windowIndices), $"window {w} is outside the pool of {Windows}");
            var rowSum = Sum.AsSpan(w * Channels, Channels);
            var rowSq = SumOfSquares.AsSpan(w * Channels, Channels);
            for (int j = 0; j < Channels; j++)
            {
                sum[j] += rowSum[j];
                sumSq[j] += rowSq[j];
            }
            tokens += Tokens[w];
        }
        return ChannelMoments.FromSums(sum, sumSq, tokens);
    }
}

namespace Search.Pruning.Statistics;

/// <summary>
/// Per-channel moments of one activation site (the input of o_proj, or of down_proj) over a set of
/// calibration tokens. Arrays have one entry per input channel of that projection. Described here as
/// <see cref="StatisticsMode.Pooled"/> computes them; <see cref="FlapRunningMoments"/> fills the same
/// roles with FLAP's running values (μ rounded to fp16, F and s ≈ T times these).
/// </summary>
/// <param name="Mean">μ_j = E[x_j]: FLAP's baseline activation, used by the bias compensation.</param>
/// <param name="Variance">
/// F_j = E[x_j²] − μ_j²: the POPULATION variance over tokens. FLAP accumulates ≈ tokens × unbiased
/// variance; the constant factor disappears in the per-layer standardization that precedes ranking.
/// </param>
/// <param name="MeanSquare">s_j = E[x_j²] (WIFN, Wanda-sp).</param>
/// <param name="Tokens">How many token positions the moments were computed from.</param>
public sealed record ChannelMoments(double[] Mean, double[] Variance, double[] MeanSquare, long Tokens)
{
    public int Channels => Mean.Length;

    /// <summary>Moments from Σx and Σx² (float64) over <paramref name="tokens"/> positions.</summary>
    public static ChannelMoments FromSums(ReadOnlySpan<double> sum, ReadOnlySpan<double> sumOfSquares, long tokens)
    {
        if (sum.Length != sumOfSquares.Length)
            throw new ArgumentException($"Σx has {sum.Length} channels, Σx² has {sumOfSquares.Length}");
        int c = sum.Length;
        var mean = new double[c];
        var variance = new double[c];
        var meanSquare = new double[c];
        if (tokens > 0)
            for (int j = 0; j < c; j++)
            {
                mean[j] = sum[j] / tokens;
                meanSquare[j] = sumOfSquares[j] / tokens;
                // Cancellation can leave a tiny negative value for a constant channel.
                variance[j] = Math.Max(0, meanSquare[j] - mean[j] * mean[j]);
            }
        return new ChannelMoments(mean, variance, meanSquare, tokens);
    }
}

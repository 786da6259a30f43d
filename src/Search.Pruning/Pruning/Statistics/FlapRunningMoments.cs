namespace Search.Pruning.Pruning.Statistics;

/// <summary>
/// FLAP's calibration statistics exactly as CASIA-IVA-Lab/FLAP lib/layerwrapper.py <c>BiasGPT.add_batch</c>
/// accumulates them — <c>prune_flap</c> feeds one window per call — but computed from per-window sums
/// (Σx, Σx², T per window) in window order, so no second forward pass is needed. With n windows seen:
/// <code>
///   μ ← μ·n/(n+1) + (Σx / T)/(n+1)
///   F ← 0 at the first window (n = 0); then F ← F·(n−1)/n + Σ_t (x_t − μ)²/(n+1)
///   s ← s·n/(n+1) + Σx²/(n+1)
/// </code>
/// F's update uses the mean AFTER this window's update: FLAP's <c>old_baseline_inp</c> is the same
/// tensor that is then updated in place. Σ_t (x_t − μ)² = Σx² − 2μ·Σx + T·μ². s is WIFN's
/// <c>scaler_inp</c> (Wanda-sp's <c>WrappedGPT.scaler_row</c> follows the same recurrence). The mean the
/// bias uses is <c>baseline_inp.type(torch.half)</c>: μ as float32, then rounded to fp16.
/// </summary>
public static class FlapRunningMoments
{
    public static ChannelMoments FromWindowSums(SiteWindowSums site, IReadOnlyList<int> windowIndices)
    {
        int c = site.Channels;
        var mean = new double[c];
        var fluctuation = new double[c];
        var scaler = new double[c];
        long tokens = 0;
        int n = 0;
        foreach (int w in windowIndices)
        {
            if ((uint)w >= (uint)site.Windows)
                throw new ArgumentOutOfRangeException(nameof(windowIndices), $"window {w} is outside the pool of {site.Windows}");
            long t = site.Tokens[w];
            var sum = site.Sum.AsSpan(w * c, c);
            var sumSq = site.SumOfSquares.AsSpan(w * c, c);
            double keep = (double)n / (n + 1);
            for (int j = 0; j < c; j++)
            {
                mean[j] = mean[j] * keep + sum[j] / t / (n + 1);
                if (n > 0)
                {
                    double deviation = sumSq[j] - 2 * mean[j] * sum[j] + t * mean[j] * mean[j];
                    fluctuation[j] = fluctuation[j] * ((double)(n - 1) / n) + deviation / (n + 1);
                }
                scaler[j] = scaler[j] * keep + sumSq[j] / (n + 1);
            }
            tokens += t;
            n++;
        }
        var roundedMean = mean.Select(m => (double)(Half)(float)m).ToArray();
        return new ChannelMoments(roundedMean, fluctuation, scaler, tokens);
    }
}

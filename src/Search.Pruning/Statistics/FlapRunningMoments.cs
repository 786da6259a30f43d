namespace Search.Pruning.Statistics;

/// <summary>
/// FLAP's calibration statistics exactly as CASIA-IVA-Lab/FLAP lib/layerwrapper.py <c>BiasGPT.add_batch</c>
/// accumulates them — <c>prune_flap</c> feeds one window per call — folded from each window's sums
/// (Σx, Σx², T) as the calibration pass produces them, so it costs no second forward pass and no
/// per-window storage. With n windows seen:
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
public sealed class FlapRunningMoments(int channels)
{
    private readonly double[] mean = new double[channels];
    private readonly double[] fluctuation = new double[channels];
    private readonly double[] scaler = new double[channels];
    private long tokens;
    private int n;

    public int Channels => mean.Length;

    /// <summary>Folds in the next window's sums (the order is FLAP's: the pool's window order).</summary>
    public void Add(ReadOnlySpan<double> sum, ReadOnlySpan<double> sumSq, long t)
    {
        double keep = (double)n / (n + 1);
        for (int j = 0; j < mean.Length; j++)
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

    /// <summary>The moments so far, with μ rounded as FLAP's bias rounds it (float32, then fp16).</summary>
    public ChannelMoments Moments() =>
        new(mean.Select(m => (double)(Half)(float)m).ToArray(), (double[])fluctuation.Clone(), (double[])scaler.Clone(), tokens);

    /// <summary>The running state (for the statistics cache): μ, F, s (unrounded), tokens, windows.</summary>
    internal (double[] Mean, double[] Fluctuation, double[] Scaler, long Tokens, int Windows) State => (mean, fluctuation, scaler, tokens, n);

    internal static FlapRunningMoments Restore(double[] mean, double[] fluctuation, double[] scaler, long tokens, int windows)
    {
        var r = new FlapRunningMoments(mean.Length) { tokens = tokens, n = windows };
        mean.CopyTo(r.mean, 0);
        fluctuation.CopyTo(r.fluctuation, 0);
        scaler.CopyTo(r.scaler, 0);
        return r;
    }
}

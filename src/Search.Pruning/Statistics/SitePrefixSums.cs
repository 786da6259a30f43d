namespace Search.Pruning.Statistics;

/// <summary>
/// Prefix sums of one activation site (o_proj or down_proj input) over a pool's windows, kept at the
/// ladder's rungs only: for rung r, Σx and Σx² per channel (float64) and the token count over the
/// pool's first <c>Rungs[r]</c> windows; and FLAP's running statistics over the whole pool. Windows are
/// added in pool order while the dense model runs.
/// </summary>
public sealed class SitePrefixSums
{
    private readonly double[] runningSum;
    private readonly double[] runningSumSq;
    private long runningTokens;
    private int nextWindow;

    public int Channels { get; }
    public IReadOnlyList<int> Rungs { get; }
    /// <summary>[rungs][channels].</summary>
    public double[][] Sum { get; }
    /// <summary>[rungs][channels].</summary>
    public double[][] SumOfSquares { get; }
    /// <summary>[rungs].</summary>
    public long[] Tokens { get; }
    /// <summary>FLAP's running statistics over the whole pool in pool order (<see cref="StatisticsMode.FlapExact"/>).</summary>
    public FlapRunningMoments Flap { get; private set; }

    public SitePrefixSums(int channels, IReadOnlyList<int> rungs)
        : this(channels, rungs, rungs.Select(_ => new double[channels]).ToArray(), rungs.Select(_ => new double[channels]).ToArray(),
            new long[rungs.Count], new FlapRunningMoments(channels))
    {
    }

    internal SitePrefixSums(int channels, IReadOnlyList<int> rungs, double[][] sum, double[][] sumOfSquares, long[] tokens,
        FlapRunningMoments flap)
    {
        Flap = flap;
        Channels = channels;
        Rungs = rungs;
        Sum = sum;
        SumOfSquares = sumOfSquares;
        Tokens = tokens;
        runningSum = new double[channels];
        runningSumSq = new double[channels];
        nextWindow = rungs[^1];
    }

    /// <summary>Starts a collection (the sums of a loaded pool are complete).</summary>
    internal void Reset()
    {
        Array.Clear(runningSum);
        Array.Clear(runningSumSq);
        runningTokens = 0;
        nextWindow = 0;
        Flap = new FlapRunningMoments(Channels);
    }

    /// <summary>Adds window <paramref name="window"/>'s sums; windows must come in pool order.</summary>
    public void Add(int window, ReadOnlySpan<double> sum, ReadOnlySpan<double> sumOfSquares, long tokens)
    {
        if (window != nextWindow)
            throw new InvalidOperationException($"calibration windows must arrive in pool order: got window {window}, expected {nextWindow}");
        for (int j = 0; j < Channels; j++)
        {
            runningSum[j] += sum[j];
            runningSumSq[j] += sumOfSquares[j];
        }
        runningTokens += tokens;
        Flap.Add(sum, sumOfSquares, tokens);
        nextWindow++;
        int r = IndexOf(nextWindow);
        if (r >= 0)
        {
            runningSum.CopyTo(Sum[r], 0);
            runningSumSq.CopyTo(SumOfSquares[r], 0);
            Tokens[r] = runningTokens;
        }
    }

    /// <summary>
    /// Ends a collection: a site with no channels (a block an earlier pruning removed) never sees an
    /// activation and is complete as it is; any other site must have seen every window.
    /// </summary>
    internal void Finish()
    {
        if (Channels == 0) nextWindow = Rungs[^1];
        if (!Complete) throw new InvalidOperationException($"calibration stopped after {nextWindow} of {Rungs[^1]} windows");
    }

    /// <summary>True once every window of the pool has been added.</summary>
    public bool Complete => nextWindow == Rungs[^1];

    /// <summary>Moments over the pool's first <paramref name="windows"/> windows (a rung).</summary>
    public ChannelMoments Moments(int windows)
    {
        int r = IndexOf(windows);
        if (r < 0) throw new ArgumentException($"{windows} windows is not a rung of this pool ({string.Join(", ", Rungs)})");
        if (!Complete) throw new InvalidOperationException("the pool's statistics are still being collected");
        return ChannelMoments.FromSums(Sum[r], SumOfSquares[r], Tokens[r]);
    }

    /// <summary>FLAP-exact moments over the whole pool.</summary>
    public ChannelMoments FlapMoments()
    {
        if (!Complete) throw new InvalidOperationException("the pool's statistics are still being collected");
        return Flap.Moments();
    }

    private int IndexOf(int windows)
    {
        for (int r = 0; r < Rungs.Count; r++)
            if (Rungs[r] == windows) return r;
        return -1;
    }
}

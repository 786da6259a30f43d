namespace Search.Pruning.Statistics;

/// <summary>
/// Prefix sums of one activation site (o_proj or down_proj input) over a pool's windows, kept at the
/// ladder's rungs only: for rung r, Σx and Σx² per channel (float64) and the token count over the
/// pool's first <c>Rungs[r]</c> windows; and FLAP's running statistics over the windows seen. Windows
/// are added in pool order while the dense model runs, up to the <see cref="Extent"/> the trials have
/// needed so far (a rung); a later pass over only the new windows extends it and continues the same
/// running sums, so an extended site holds the very doubles a pass over the whole pool would.
/// </summary>
public sealed class SitePrefixSums
{
    private readonly double[] runningSum;
    private readonly double[] runningSumSq;
    private long runningTokens;
    private int nextWindow;
    private int target;

    public int Channels { get; }
    /// <summary>The whole pool's ladder (<see cref="CalibrationLadder.Rungs"/>).</summary>
    public IReadOnlyList<int> Rungs { get; }
    /// <summary>[rungs][channels]; null for rungs past <see cref="Extent"/>.</summary>
    public double[]?[] Sum { get; }
    /// <summary>[rungs][channels]; null for rungs past <see cref="Extent"/>.</summary>
    public double[]?[] SumOfSquares { get; }
    /// <summary>[rungs].</summary>
    public long[] Tokens { get; }
    /// <summary>FLAP's running statistics over the first <see cref="Extent"/> windows in pool order (<see cref="StatisticsMode.FlapExact"/>).</summary>
    public FlapRunningMoments Flap { get; private set; }
    /// <summary>How many of the pool's first windows the sums cover (0 or a rung).</summary>
    public int Extent { get; private set; }

    public SitePrefixSums(int channels, IReadOnlyList<int> rungs)
        : this(channels, rungs, new double[rungs.Count][], new double[rungs.Count][], new long[rungs.Count], new FlapRunningMoments(channels), 0)
    {
    }

    /// <summary>A site restored from its first <paramref name="extent"/> windows' sums (rows past the extent null).</summary>
    internal SitePrefixSums(int channels, IReadOnlyList<int> rungs, double[]?[] sum, double[]?[] sumOfSquares, long[] tokens,
        FlapRunningMoments flap, int extent)
    {
        Flap = flap;
        Channels = channels;
        Rungs = rungs;
        Sum = sum;
        SumOfSquares = sumOfSquares;
        Tokens = tokens;
        Extent = extent;
        runningSum = new double[channels];
        runningSumSq = new double[channels];
        nextWindow = target = extent;
    }

    /// <summary>Starts a pass over windows [<see cref="Extent"/>, <paramref name="to"/>) (a rung), continuing the running sums.</summary>
    internal void Begin(int to)
    {
        if (IndexOf(to) < 0 || to <= Extent)
            throw new ArgumentException($"cannot extend a site from {Extent} to {to} windows ({string.Join(", ", Rungs)})");
        int r = IndexOf(Extent);
        if (r >= 0)
        {
            Sum[r]!.CopyTo(runningSum, 0);
            SumOfSquares[r]!.CopyTo(runningSumSq, 0);
            runningTokens = Tokens[r];
        }
        else
        {
            Array.Clear(runningSum);
            Array.Clear(runningSumSq);
            runningTokens = 0;
            Flap = new FlapRunningMoments(Channels);
        }
        nextWindow = Extent;
        target = to;
    }

    /// <summary>Adds window <paramref name="window"/>'s sums; windows must come in pool order.</summary>
    public void Add(int window, ReadOnlySpan<double> sum, ReadOnlySpan<double> sumOfSquares, long tokens)
    {
        if (window != nextWindow || window >= target)
            throw new InvalidOperationException($"calibration windows must arrive in pool order: got window {window}, expected {nextWindow} (pass ends at {target})");
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
            Sum[r] = (double[])runningSum.Clone();
            SumOfSquares[r] = (double[])runningSumSq.Clone();
            Tokens[r] = runningTokens;
        }
    }

    /// <summary>
    /// Ends a pass: a site with no channels (a block an earlier pruning removed) never sees an
    /// activation and is complete as it is; any other site must have seen every window of the pass.
    /// </summary>
    internal void Finish()
    {
        if (Channels == 0)
        {
            for (int r = 0; r < Rungs.Count && Rungs[r] <= target; r++)
            {
                Sum[r] ??= [];
                SumOfSquares[r] ??= [];
            }
            nextWindow = target;
        }
        if (nextWindow != target) throw new InvalidOperationException($"calibration stopped after {nextWindow} of {target} windows");
        Extent = target;
    }

    /// <summary>True once every window of the pool has been added.</summary>
    public bool Complete => Extent == Rungs[^1];

    /// <summary>Moments over the pool's first <paramref name="windows"/> windows (a rung within the extent).</summary>
    public ChannelMoments Moments(int windows)
    {
        int r = IndexOf(windows);
        if (r < 0) throw new ArgumentException($"{windows} windows is not a rung of this pool ({string.Join(", ", Rungs)})");
        if (windows > Extent) throw new InvalidOperationException($"the pool's statistics cover its first {Extent} windows, not {windows}");
        return ChannelMoments.FromSums(Sum[r]!, SumOfSquares[r]!, Tokens[r]);
    }

    /// <summary>FLAP-exact moments over the whole pool.</summary>
    public ChannelMoments FlapMoments()
    {
        if (!Complete) throw new InvalidOperationException($"FLAP-exact statistics need the whole pool; {Extent} of {Rungs[^1]} windows are collected");
        return Flap.Moments();
    }

    private int IndexOf(int windows)
    {
        for (int r = 0; r < Rungs.Count; r++)
            if (Rungs[r] == windows) return r;
        return -1;
    }
}

namespace Search.Pruning.Statistics;

/// <summary>
/// The window counts a calibration pool keeps statistics at: 1, 2, 4, … (powers of two below the
/// pool size) and the pool size itself. A pool stores the prefix sums over its first n windows
/// for each rung n only — memory and disk grow with the number of rungs (log of the pool size), not
/// with the window count: 7.7 MB per rung at LLaMA-7B, under 100 MB for FLAP's 1024-window pool. A
/// trial's calibration_samples snaps to the nearest rung (in log scale; ties go up), and the
/// statistics of a rung are exactly those of the pool's first n windows (FLAP's n-sample set).
/// </summary>
public static class CalibrationLadder
{
    public static int[] Rungs(int poolSize)
    {
        if (poolSize < 1) throw new ArgumentOutOfRangeException(nameof(poolSize), $"a pool needs at least one window (got {poolSize})");
        var rungs = new List<int>();
        for (int n = 1; n < poolSize; n *= 2) rungs.Add(n);
        rungs.Add(poolSize);
        return rungs.ToArray();
    }

    /// <summary>The rung a requested sample count uses.</summary>
    public static int Snap(int samples, int poolSize)
    {
        if (samples < 1) throw new ArgumentOutOfRangeException(nameof(samples), $"calibration needs at least one window (got {samples})");
        int best = 1;
        double bestDistance = double.MaxValue;
        foreach (int rung in Rungs(poolSize))
        {
            double distance = Math.Abs(Math.Log(rung) - Math.Log(samples));
            if (distance <= bestDistance + 1e-12) { best = rung; bestDistance = Math.Min(bestDistance, distance); }
        }
        return best;
    }
}

namespace Search.Pruning.Metrics;

/// <summary>
/// Per-layer z-scoring (FLAP: (x − mean) / unbiased std within one layer's heads, or its channels),
/// which makes scores of different layers and of different metrics comparable.
/// </summary>
public static class Standardization
{
    /// <summary>z-scores of <paramref name="values"/>; all zeros when fewer than two values or no spread.</summary>
    public static double[] ZScores(IReadOnlyList<double> values)
    {
        int n = values.Count;
        var z = new double[n];
        if (n < 2) return z;
        double mean = values.Average();
        double ss = 0;
        foreach (double v in values) ss += (v - mean) * (v - mean);
        double std = Math.Sqrt(ss / (n - 1));
        if (!(std > 0) || double.IsInfinity(std)) return z;
        for (int i = 0; i < n; i++) z[i] = (values[i] - mean) / std;
        return z;
    }
}

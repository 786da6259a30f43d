namespace Search.Optimization.Gp;

/// <summary>
/// Matérn-5/2 with automatic relevance determination:
/// k(x, x') = σ_f² (1 + √5 r + 5r²/3) exp(−√5 r),  r² = Σ_j (x_j − x'_j)² / ℓ_j².
/// Twice differentiable, which suits the smooth-but-not-analytic response of perplexity to
/// pruning choices better than the squared exponential.
/// </summary>
internal static class MaternKernel
{
    private static readonly double Sqrt5 = Math.Sqrt(5.0);

    public static double ScaledDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b, double[] lengthScales)
    {
        var sum = 0.0;
        for (var j = 0; j < a.Length; j++)
        {
            var diff = (a[j] - b[j]) / lengthScales[j];
            sum += diff * diff;
        }
        return Math.Sqrt(sum);
    }

    /// <summary>Correlation part (σ_f² = 1).</summary>
    public static double Correlation(double r)
    {
        var s = Sqrt5 * r;
        return (1.0 + s + s * s / 3.0) * Math.Exp(-s);
    }

    /// <summary>
    /// ∂k/∂log ℓ_j divided by (x_j − x'_j)²/ℓ_j², i.e. σ_f²·(5/3)(1 + √5 r)·exp(−√5 r). The factor r of
    /// dk/dr cancels against dr/dlog ℓ_j, so there is no 0/0 at r = 0.
    /// </summary>
    public static double LengthScaleGradientFactor(double r) => 5.0 / 3.0 * (1.0 + Sqrt5 * r) * Math.Exp(-Sqrt5 * r);
}

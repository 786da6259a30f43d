using MathNet.Numerics.Distributions;

namespace Search.Optimization.Gp;

/// <summary>EI for minimization: E[max(best − ξ − f(x), 0)] under the GP posterior.</summary>
internal static class ExpectedImprovement
{
    public static double Evaluate(double mean, double variance, double best, double exploration)
    {
        var sigma = Math.Sqrt(variance);
        var improvement = best - exploration - mean;
        if (sigma < 1e-12) return Math.Max(improvement, 0.0);
        var z = improvement / sigma;
        return improvement * Normal.CDF(0.0, 1.0, z) + sigma * Normal.PDF(0.0, 1.0, z);
    }
}

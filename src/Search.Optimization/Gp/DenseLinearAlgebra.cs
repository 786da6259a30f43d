namespace Search.Optimization.Gp;

/// <summary>
/// The few dense routines the GP needs. Cholesky reports failure instead of throwing so the caller
/// can add jitter and retry without using exceptions for an expected numerical outcome.
/// </summary>
internal static class DenseLinearAlgebra
{
    /// <summary>Lower-triangular L with A = L Lᵀ; false when A is not numerically positive definite.</summary>
    public static bool TryCholesky(double[,] a, double[,] lower)
    {
        var n = a.GetLength(0);
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var sum = a[i, j];
                for (var k = 0; k < j; k++) sum -= lower[i, k] * lower[j, k];
                if (i == j)
                {
                    if (!(sum > 0.0)) return false; // also rejects NaN
                    lower[i, i] = Math.Sqrt(sum);
                }
                else
                {
                    lower[i, j] = sum / lower[j, j];
                }
            }
            for (var j = i + 1; j < n; j++) lower[i, j] = 0.0;
        }
        return true;
    }

    /// <summary>Solves L z = b.</summary>
    public static double[] ForwardSubstitute(double[,] lower, ReadOnlySpan<double> b)
    {
        var n = b.Length;
        var z = new double[n];
        for (var i = 0; i < n; i++)
        {
            var sum = b[i];
            for (var k = 0; k < i; k++) sum -= lower[i, k] * z[k];
            z[i] = sum / lower[i, i];
        }
        return z;
    }

    /// <summary>Solves Lᵀ x = z.</summary>
    public static double[] BackSubstitute(double[,] lower, ReadOnlySpan<double> z)
    {
        var n = z.Length;
        var x = new double[n];
        for (var i = n - 1; i >= 0; i--)
        {
            var sum = z[i];
            for (var k = i + 1; k < n; k++) sum -= lower[k, i] * x[k];
            x[i] = sum / lower[i, i];
        }
        return x;
    }

    /// <summary>A⁻¹ from its Cholesky factor, as (L⁻¹)ᵀ L⁻¹.</summary>
    public static double[,] InverseFromCholesky(double[,] lower)
    {
        var n = lower.GetLength(0);
        var inverseLower = new double[n, n];
        for (var col = 0; col < n; col++)
        {
            inverseLower[col, col] = 1.0 / lower[col, col];
            for (var i = col + 1; i < n; i++)
            {
                var sum = 0.0;
                for (var k = col; k < i; k++) sum -= lower[i, k] * inverseLower[k, col];
                inverseLower[i, col] = sum / lower[i, i];
            }
        }
        var inverse = new double[n, n];
        for (var i = 0; i < n; i++)
            for (var j = 0; j <= i; j++)
            {
                var sum = 0.0;
                for (var k = i; k < n; k++) sum += inverseLower[k, i] * inverseLower[k, j];
                inverse[i, j] = sum;
                inverse[j, i] = sum;
            }
        return inverse;
    }
}

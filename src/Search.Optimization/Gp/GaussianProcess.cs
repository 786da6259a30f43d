namespace Search.Optimization.Gp;

/// <summary>
/// Zero-mean GP regression on standardized targets with a Matérn-5/2 ARD kernel. Built by
/// <see cref="Fit"/>, which also chooses the hyperparameters (see <see cref="MarginalLikelihood"/>).
/// Inputs live in [0,1]^d (the search space's encoding), which is what the hyperparameter bounds assume.
/// </summary>
internal sealed class GaussianProcess
{
    /// <summary>Added to the diagonal when the kernel matrix is numerically singular; grows ×10 per retry.</summary>
    private const double InitialJitter = 1e-8;
    private const int JitterRetries = 6;

    private readonly double[][] _inputs;
    private readonly double[,] _cholesky;
    private readonly double[] _alpha;

    private GaussianProcess(double[][] inputs, double[,] cholesky, double[] alpha, GpHyperparameters hyperparameters)
    {
        _inputs = inputs;
        _cholesky = cholesky;
        _alpha = alpha;
        Hyperparameters = hyperparameters;
    }

    public GpHyperparameters Hyperparameters { get; }

    /// <summary>Fits hyperparameters by maximizing the log marginal likelihood, then conditions on the data.</summary>
    public static GaussianProcess Fit(double[][] inputs, double[] standardizedTargets, Random rng, HyperparameterSearch search)
    {
        var hyperparameters = search.Maximize(inputs, standardizedTargets, rng);
        return Condition(inputs, standardizedTargets, hyperparameters)
            ?? throw new InvalidOperationException("kernel matrix stayed singular after jitter; inputs contain NaN?");
    }

    public static GaussianProcess? Condition(double[][] inputs, double[] targets, GpHyperparameters hyperparameters)
    {
        var cholesky = FactorKernel(inputs, hyperparameters);
        if (cholesky is null) return null;
        var alpha = DenseLinearAlgebra.BackSubstitute(cholesky, DenseLinearAlgebra.ForwardSubstitute(cholesky, targets));
        return new GaussianProcess(inputs, cholesky, alpha, hyperparameters);
    }

    /// <summary>Posterior mean and variance of the latent function (noise excluded) at x.</summary>
    public (double Mean, double Variance) Predict(ReadOnlySpan<double> x)
    {
        var n = _inputs.Length;
        var kStar = new double[n];
        var mean = 0.0;
        for (var i = 0; i < n; i++)
        {
            kStar[i] = Hyperparameters.SignalVariance
                * MaternKernel.Correlation(MaternKernel.ScaledDistance(x, _inputs[i], Hyperparameters.LengthScales));
            mean += kStar[i] * _alpha[i];
        }
        var v = DenseLinearAlgebra.ForwardSubstitute(_cholesky, kStar);
        var explained = 0.0;
        foreach (var vi in v) explained += vi * vi;
        return (mean, Math.Max(Hyperparameters.SignalVariance - explained, 1e-12));
    }

    /// <summary>Cholesky factor of K + σ_n² I, escalating jitter on failure; null if it never succeeds.</summary>
    internal static double[,]? FactorKernel(double[][] inputs, GpHyperparameters hyperparameters)
    {
        var n = inputs.Length;
        var kernel = KernelMatrix(inputs, hyperparameters);
        var lower = new double[n, n];
        var jitter = 0.0;
        for (var attempt = 0; attempt <= JitterRetries; attempt++)
        {
            if (attempt > 0)
            {
                var add = attempt == 1 ? InitialJitter : jitter * 9.0;
                for (var i = 0; i < n; i++) kernel[i, i] += add;
                jitter += add;
            }
            if (DenseLinearAlgebra.TryCholesky(kernel, lower)) return lower;
        }
        return null;
    }

    internal static double[,] KernelMatrix(double[][] inputs, GpHyperparameters hyperparameters)
    {
        var n = inputs.Length;
        var kernel = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            kernel[i, i] = hyperparameters.SignalVariance + hyperparameters.NoiseVariance;
            for (var j = 0; j < i; j++)
            {
                var k = hyperparameters.SignalVariance
                    * MaternKernel.Correlation(MaternKernel.ScaledDistance(inputs[i], inputs[j], hyperparameters.LengthScales));
                kernel[i, j] = k;
                kernel[j, i] = k;
            }
        }
        return kernel;
    }
}

namespace Search.Optimization.Gp;

/// <summary>
/// Log marginal likelihood log p(y | X, θ) = −½ yᵀα − Σ log L_ii − (n/2) log 2π and its gradient
/// ½ tr((ααᵀ − K⁻¹) ∂K/∂θ) with respect to θ = (log ℓ, log σ_f², log σ_n²).
/// </summary>
internal static class MarginalLikelihood
{
    /// <summary>Value and gradient; value is −∞ when the kernel cannot be factored.</summary>
    public static double Evaluate(double[][] inputs, double[] targets, ReadOnlySpan<double> theta, Span<double> gradient)
    {
        var hyperparameters = GpHyperparameters.FromLog(theta);
        var n = inputs.Length;
        var d = hyperparameters.Dimensions;
        var lower = GaussianProcess.FactorKernel(inputs, hyperparameters);
        gradient.Clear();
        if (lower is null) return double.NegativeInfinity;

        var alpha = DenseLinearAlgebra.BackSubstitute(lower, DenseLinearAlgebra.ForwardSubstitute(lower, targets));
        var value = -0.5 * n * Math.Log(2.0 * Math.PI);
        for (var i = 0; i < n; i++) value += -0.5 * targets[i] * alpha[i] - Math.Log(lower[i, i]);

        var inverse = DenseLinearAlgebra.InverseFromCholesky(lower);
        var lengthScales = hyperparameters.LengthScales;
        var signal = hyperparameters.SignalVariance;
        // Off-diagonal pairs counted twice (symmetry); diagonal terms of ∂K/∂log ℓ vanish (r = 0, diff = 0).
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < i; j++)
            {
                var w = alpha[i] * alpha[j] - inverse[i, j];
                var r = MaternKernel.ScaledDistance(inputs[i], inputs[j], lengthScales);
                var signalK = signal * MaternKernel.Correlation(r);
                gradient[d] += w * signalK; // ½·2 for the symmetric pair
                var factor = w * signal * MaternKernel.LengthScaleGradientFactor(r);
                for (var k = 0; k < d; k++)
                {
                    var diff = (inputs[i][k] - inputs[j][k]) / lengthScales[k];
                    gradient[k] += factor * diff * diff;
                }
            }
            var wDiagonal = alpha[i] * alpha[i] - inverse[i, i];
            gradient[d] += 0.5 * wDiagonal * signal;
            gradient[d + 1] += 0.5 * wDiagonal * hyperparameters.NoiseVariance;
        }
        return value;
    }
}

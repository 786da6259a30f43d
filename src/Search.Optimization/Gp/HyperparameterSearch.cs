namespace Search.Optimization.Gp;

/// <summary>
/// Maximizes log marginal likelihood + a weak log-normal prior on length scales with projected
/// Adam in log space, from a few starts; keeps the best. Gradient-based (analytic gradient from
/// <see cref="MarginalLikelihood"/>) because with per-layer ratio vectors θ has 60+ entries, where
/// Nelder–Mead crawls. Deterministic: the random starts come from the caller's seeded stream, and
/// bounded steps mean no line search can fail.
/// </summary>
internal sealed record HyperparameterSearch(int Restarts = 3, int Iterations = 80, double LearningRate = 0.08)
{
    // Inputs are in [0,1]: length scales beyond 100 mean "irrelevant", below 0.01 mean interpolating noise.
    private const double MinLogLength = -4.6, MaxLogLength = 4.6;
    private const double MinLogSignal = -4.6, MaxLogSignal = 4.6;
    private const double MinLogNoise = -13.8, MaxLogNoise = 0.0;

    // Prior log ℓ ~ N(log 0.5, 2²): keeps a length scale from running off when a few points happen to line up.
    private const double PriorMeanLogLength = -0.693, PriorVarianceLogLength = 4.0;

    public GpHyperparameters Maximize(double[][] inputs, double[] targets, Random rng)
    {
        var d = inputs[0].Length;
        double[]? best = null;
        var bestValue = double.NegativeInfinity;
        for (var restart = 0; restart < Restarts; restart++)
        {
            var start = new double[d + 2];
            for (var j = 0; j < d; j++)
                start[j] = restart == 0 ? Math.Log(0.5) : Math.Log(0.1) + rng.NextDouble() * (Math.Log(2.0) - Math.Log(0.1));
            start[d] = restart == 0 ? 0.0 : -1.0 + 2.0 * rng.NextDouble();
            start[d + 1] = restart == 0 ? Math.Log(1e-3) : Math.Log(1e-5) + rng.NextDouble() * (Math.Log(1e-1) - Math.Log(1e-5));
            var (theta, value) = Ascend(inputs, targets, start);
            if (value > bestValue)
            {
                bestValue = value;
                best = theta;
            }
        }
        return GpHyperparameters.FromLog(best ?? DefaultTheta(d));
    }

    private (double[] Theta, double Value) Ascend(double[][] inputs, double[] targets, double[] theta)
    {
        var n = theta.Length;
        var gradient = new double[n];
        var firstMoment = new double[n];
        var secondMoment = new double[n];
        var bestTheta = (double[])theta.Clone();
        var bestValue = Objective(inputs, targets, theta, gradient);
        const double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
        for (var step = 1; step <= Iterations; step++)
        {
            var value = Objective(inputs, targets, theta, gradient);
            if (value > bestValue)
            {
                bestValue = value;
                Array.Copy(theta, bestTheta, n);
            }
            for (var i = 0; i < n; i++)
            {
                firstMoment[i] = beta1 * firstMoment[i] + (1 - beta1) * gradient[i];
                secondMoment[i] = beta2 * secondMoment[i] + (1 - beta2) * gradient[i] * gradient[i];
                var mHat = firstMoment[i] / (1 - Math.Pow(beta1, step));
                var vHat = secondMoment[i] / (1 - Math.Pow(beta2, step));
                theta[i] = Clamp(i, n, theta[i] + LearningRate * mHat / (Math.Sqrt(vHat) + epsilon));
            }
        }
        var last = Objective(inputs, targets, theta, gradient);
        return last > bestValue ? (theta, last) : (bestTheta, bestValue);
    }

    private static double Objective(double[][] inputs, double[] targets, double[] theta, double[] gradient)
    {
        var value = MarginalLikelihood.Evaluate(inputs, targets, theta, gradient);
        var d = theta.Length - 2;
        for (var j = 0; j < d; j++)
        {
            var centered = theta[j] - PriorMeanLogLength;
            value -= 0.5 * centered * centered / PriorVarianceLogLength;
            gradient[j] -= centered / PriorVarianceLogLength;
        }
        // A −∞ or NaN value would poison Adam's moments; treat it as "no progress from here".
        if (!double.IsFinite(value)) Array.Clear(gradient);
        return double.IsNaN(value) ? double.NegativeInfinity : value;
    }

    private static double Clamp(int index, int count, double value) =>
        index < count - 2 ? Math.Clamp(value, MinLogLength, MaxLogLength)
        : index == count - 2 ? Math.Clamp(value, MinLogSignal, MaxLogSignal)
        : Math.Clamp(value, MinLogNoise, MaxLogNoise);

    private static double[] DefaultTheta(int d) => [.. Enumerable.Repeat(Math.Log(0.5), d), 0.0, Math.Log(1e-3)];
}

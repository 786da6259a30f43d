namespace Search.Optimization.Gp;

/// <summary>
/// Matérn-5/2 ARD hyperparameters. Optimized as θ = (log ℓ_1..log ℓ_d, log σ_f², log σ_n²) so
/// every step of the optimizer stays positive; <see cref="FromLog"/>/<see cref="ToLog"/> convert.
/// </summary>
internal sealed record GpHyperparameters(double[] LengthScales, double SignalVariance, double NoiseVariance)
{
    public int Dimensions => LengthScales.Length;

    public double[] ToLog() => [.. LengthScales.Select(l => Math.Log(l)), Math.Log(SignalVariance), Math.Log(NoiseVariance)];

    public static GpHyperparameters FromLog(ReadOnlySpan<double> theta)
    {
        var d = theta.Length - 2;
        var lengthScales = new double[d];
        for (var j = 0; j < d; j++) lengthScales[j] = Math.Exp(theta[j]);
        return new GpHyperparameters(lengthScales, Math.Exp(theta[d]), Math.Exp(theta[d + 1]));
    }
}

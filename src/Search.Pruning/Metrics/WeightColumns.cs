using static TorchSharp.torch;

namespace Search.Pruning.Metrics;

/// <summary>
/// The two per-input-channel reductions of a projection weight W [d, C] that every metric reads:
/// Σ_i W_ij² and mean_i |W_ij| (float64, reduced on the weight's device exactly as
/// <see cref="ChannelImportance.Score(ImportanceMetric, Tensor, Statistics.ChannelMoments?)"/> reduces
/// them). They do not depend on the calibration data, so a search reads each weight once for them.
/// </summary>
public sealed record WeightColumns(double[] SumOfSquares, double[] AbsMean)
{
    public int Channels => SumOfSquares.Length;

    public static WeightColumns Of(Tensor weight)
    {
        using var scope = NewDisposeScope();
        var w = weight.detach().to_type(ScalarType.Float64); // [d, C]
        return new WeightColumns(
            w.square().sum(dim: 0).cpu().contiguous().data<double>().ToArray(),
            w.abs().mean([0]).cpu().contiguous().data<double>().ToArray());
    }
}

using Search.Model;
using Search.Pruning.Statistics;
using static TorchSharp.torch;

namespace Search.Pruning.Metrics;

/// <summary>Pure functions (weights, statistics) → one score per input channel of a projection.</summary>
public static class ChannelImportance
{
    /// <summary>
    /// Scores of the C input channels of <paramref name="weight"/> [d, C] (o_proj or down_proj).
    /// <paramref name="moments"/> may be null only for magnitude-sp.
    /// </summary>
    public static double[] Score(ImportanceMetric metric, Tensor weight, ChannelMoments? moments)
    {
        long channels = weight.shape[1];
        if (moments is null && ImportanceMetricNames.NeedsStatistics(metric))
            throw new UserInputException($"metric '{ImportanceMetricNames.Name(metric)}' needs calibration statistics");
        if (moments is not null && moments.Channels != channels)
            throw new ArgumentException($"statistics have {moments.Channels} channels, the weight has {channels} inputs");
        using var scope = NewDisposeScope();
        // Reduced on the weight's device; only the [C] result crosses to the host.
        var w = weight.detach().to_type(ScalarType.Float64);                                // [d, C]
        Tensor Stat(double[] values) => tensor(values, ScalarType.Float64).to(weight.device); // [C]
        var score = metric switch
        {
            ImportanceMetric.Ifv => Stat(moments!.Variance),
            ImportanceMetric.Wifv => Stat(moments!.Variance) * w.square().sum(dim: 0),
            ImportanceMetric.Wifn or ImportanceMetric.WandaSp => w.abs().mean([0]) * Stat(moments!.MeanSquare).sqrt(),
            ImportanceMetric.MagnitudeSp => w.square().sum(dim: 0).sqrt(),
            _ => throw new ArgumentOutOfRangeException(nameof(metric)),
        };
        return score.cpu().contiguous().data<double>().ToArray();
    }
}

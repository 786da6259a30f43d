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

    /// <summary>
    /// The same scores from the weight's cached column reductions, equal to
    /// <see cref="Score(ImportanceMetric, Tensor, ChannelMoments?)"/> bit for bit on the CPU: products are
    /// IEEE-exact anywhere, square roots run through torch as there (its vectorized float64 sqrt is not
    /// always Math.Sqrt's correctly rounded one).
    /// </summary>
    public static double[] Score(ImportanceMetric metric, WeightColumns columns, ChannelMoments? moments)
    {
        int channels = columns.Channels;
        if (moments is null && ImportanceMetricNames.NeedsStatistics(metric))
            throw new UserInputException($"metric '{ImportanceMetricNames.Name(metric)}' needs calibration statistics");
        if (moments is not null && moments.Channels != channels)
            throw new ArgumentException($"statistics have {moments.Channels} channels, the weight has {channels} inputs");
        static double[] Sqrt(double[] values)
        {
            using var t = tensor(values, ScalarType.Float64);
            using var root = t.sqrt();
            return root.data<double>().ToArray();
        }
        var score = new double[channels];
        switch (metric)
        {
            case ImportanceMetric.Ifv:
                Array.Copy(moments!.Variance, score, channels);
                break;
            case ImportanceMetric.Wifv:
                for (int j = 0; j < channels; j++) score[j] = moments!.Variance[j] * columns.SumOfSquares[j];
                break;
            case ImportanceMetric.Wifn or ImportanceMetric.WandaSp:
                var root = Sqrt(moments!.MeanSquare);
                for (int j = 0; j < channels; j++) score[j] = columns.AbsMean[j] * root[j];
                break;
            case ImportanceMetric.MagnitudeSp:
                score = Sqrt(columns.SumOfSquares);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(metric));
        }
        return score;
    }
}

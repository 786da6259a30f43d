using Search.Model;
using Search.Pruning.Pruning.Statistics;
using static TorchSharp.torch;

namespace Search.Pruning.Pruning.Metrics;

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
    /// FLAP's raw per-layer unit scores, before any standardization, as its UL-UM / UL-MM branches and
    /// Wanda-sp / magnitude-sp rank a layer's units: a KV group (the g query heads of group k own o_proj
    /// input channels [k·g·h, (k+1)·g·h)) scores the SUM of its channels' scores, squared first for
    /// FLAP's metrics (<see cref="ImportanceMetricNames.SquaresAttentionScores"/>); an MLP channel its own
    /// score. Within a layer this orders units as the standardized single-metric mixture does. Empty
    /// arrays for a removed block.
    /// </summary>
    public static LayerUnitScores ScoreLayer(ImportanceMetric metric, DecoderLayerWeights layer, int headDim, LayerChannelStats? stats)
    {
        var widths = layer.Widths;
        double[] groups = [];
        if (widths.NumHeads > 0)
        {
            var channels = Score(metric, layer.OProj!, stats?.Attention);
            int perGroup = widths.GroupSize * headDim;
            bool square = ImportanceMetricNames.SquaresAttentionScores(metric);
            groups = new double[widths.NumKvHeads];
            for (int k = 0; k < groups.Length; k++)
                for (int j = k * perGroup; j < (k + 1) * perGroup; j++)
                    groups[k] += square ? channels[j] * channels[j] : channels[j];
        }
        double[] mlp = widths.IntermediateSize > 0 ? Score(metric, layer.DownProj!, stats?.Mlp) : [];
        return new LayerUnitScores(groups, mlp);
    }
}

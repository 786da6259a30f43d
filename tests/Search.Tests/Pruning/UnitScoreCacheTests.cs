using Search.Pruning.Metrics;
using Search.Pruning.Statistics;

namespace Search.Tests.Pruning;

/// <summary>
/// Unit scores cached per (statistics, metric) (issue 18): a trial's scoring is a lookup plus a
/// weighted sum, and gives the very scores the uncached computation on the weights gives.
/// </summary>
[Collection(PruningCollection.Name)]
public sealed class UnitScoreCacheTests
{
    private static readonly ImportanceMetric[] Metrics =
        [ImportanceMetric.Ifv, ImportanceMetric.Wifv, ImportanceMetric.Wifn, ImportanceMetric.WandaSp, ImportanceMetric.MagnitudeSp];

    [Fact]
    public void Given_cached_weight_columns_When_scoring_channels_Then_every_metric_equals_the_torch_computation_bit_for_bit()
    {
        using var model = RandomModels.GqaWithBiases();
        var stats = Stats(model, seed: 1);
        for (int l = 0; l < model.Layers.Count; l++)
            foreach (var metric in Metrics)
            {
                var moments = stats.Layers[l].Mlp;
                var direct = ChannelImportance.Score(metric, model.Layers[l].DownProj!, moments);
                var cached = ChannelImportance.Score(metric, WeightColumns.Of(model.Layers[l].DownProj!), moments);
                Assert.True(direct.SequenceEqual(cached), $"{metric} layer {l}");
            }
    }

    [Fact]
    public void Given_a_cache_When_trials_score_other_mixtures_of_the_same_metrics_Then_nothing_is_recomputed_and_scores_equal_the_uncached_ones()
    {
        using var model = RandomModels.GqaWithBiases();
        var stats = Stats(model, seed: 2);
        var cache = new UnitScoreCache(model);
        var rng = new Random(3);
        for (int trial = 0; trial < 6; trial++)
        {
            var weights = new[] { ("wifv", rng.NextDouble()), ("wanda-sp", rng.NextDouble()), ("magnitude-sp", rng.NextDouble()) };
            var mixture = MetricMixture.Create(weights.Select(w => new KeyValuePair<string, double>(w.Item1, w.Item2)));
            var cached = mixture.Score(model, stats, cache);
            var reference = Reference(model, stats, mixture);
            for (int l = 0; l < model.Layers.Count; l++)
            {
                Assert.Equal(reference[l].KvGroups, cached[l].KvGroups);   // exact
                Assert.Equal(reference[l].QueryHeads, cached[l].QueryHeads);
                Assert.Equal(reference[l].Channels, cached[l].Channels);
            }
        }
        Assert.Equal(3, cache.Computed);
        MetricMixture.Single(ImportanceMetric.Wifv).Score(model, Stats(model, seed: 4), cache); // other statistics: a miss
        Assert.Equal(4, cache.Computed);
    }

    private static ChannelStats Stats(Search.Model.Transformer model, int seed) =>
        CalibrationStatistics.Collect(model, RandomModels.RandomWindows(model.Config.VocabSize, 3, 12, seed), 3, 12, batchSize: 3).AggregateAll();

    /// <summary>The mixture's scores computed as before the cache: each component straight from the weight tensors.</summary>
    private static List<LayerUnitScores> Reference(Search.Model.Transformer model, ChannelStats stats, MetricMixture mixture)
    {
        var result = new List<LayerUnitScores>();
        int hd = model.Config.HeadDim;
        for (int l = 0; l < model.Layers.Count; l++)
        {
            var layer = model.Layers[l];
            var groups = new double[layer.Widths.NumKvHeads];
            var heads = new double[layer.Widths.NumHeads];
            var channels = new double[layer.Widths.IntermediateSize];
            int perGroup = layer.Widths.GroupSize * hd;
            foreach (var (metric, weight) in mixture.Components)
            {
                var raw = ChannelImportance.Score(metric, layer.OProj!, stats.Layers[l].Attention);
                if (ImportanceMetricNames.SquaresAttentionScores(metric))
                    for (int j = 0; j < raw.Length; j++) raw[j] *= raw[j];
                var z = Standardization.ZScores(raw);
                for (int k = 0; k < groups.Length; k++)
                {
                    double mean = 0;
                    for (int j = k * perGroup; j < (k + 1) * perGroup; j++) mean += z[j];
                    groups[k] += weight * mean / perGroup;
                }
                for (int q = 0; q < heads.Length; q++)
                {
                    double mean = 0;
                    for (int j = q * hd; j < (q + 1) * hd; j++) mean += z[j];
                    heads[q] += weight * mean / hd;
                }
                var zc = Standardization.ZScores(ChannelImportance.Score(metric, layer.DownProj!, stats.Layers[l].Mlp));
                for (int i = 0; i < channels.Length; i++) channels[i] += weight * zc[i];
            }
            result.Add(new LayerUnitScores(groups, channels, heads));
        }
        return result;
    }
}

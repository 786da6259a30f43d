using Search.Model;
using Search.Pruning.Metrics;
using Search.Pruning.Statistics;
using static TorchSharp.torch;

namespace Search.Tests.Pruning;

[Collection(PruningCollection.Name)]
public sealed class MetricTests
{
    // W [d=2, C=3] and moments of 3 channels, small enough to check by hand.
    private static readonly float[,] W = { { 1, -2, 0.5f }, { 3, 0, -1 } };
    private static readonly ChannelMoments Moments = new([0.1, 0.2, 0.3], [4, 1, 0.25], [9, 16, 1], 10);

    [Theory]
    [InlineData(ImportanceMetric.Ifv, new[] { 4.0, 1.0, 0.25 })]
    [InlineData(ImportanceMetric.Wifv, new[] { 4.0 * 10, 1.0 * 4, 0.25 * 1.25 })]
    [InlineData(ImportanceMetric.Wifn, new[] { 2.0 * 3, 1.0 * 4, 0.75 * 1 })]
    [InlineData(ImportanceMetric.WandaSp, new[] { 2.0 * 3, 1.0 * 4, 0.75 * 1 })]
    [InlineData(ImportanceMetric.MagnitudeSp, new[] { 3.1622776601683795, 2.0, 1.1180339887498949 })]
    public void Given_weights_and_moments_When_scoring_channels_Then_each_metric_matches_its_formula(ImportanceMetric metric, double[] expected)
    {
        using var weight = tensor(W);
        var scores = ChannelImportance.Score(metric, weight, metric == ImportanceMetric.MagnitudeSp ? null : Moments);
        for (int j = 0; j < expected.Length; j++) Assert.Equal(expected[j], scores[j], 6);
    }

    [Fact]
    public void Given_a_mixture_When_weights_are_given_Then_they_are_normalized_and_bad_ones_are_one_line_errors()
    {
        var mixture = MetricMixture.Create([new("wifv", 3), new("magnitude-sp", 1), new("ifv", 0)]);
        Assert.Equal([(ImportanceMetric.Wifv, 0.75), (ImportanceMetric.MagnitudeSp, 0.25)], mixture.Components);
        AllocationTests.AssertOneLine(Assert.Throws<UserInputException>(() => MetricMixture.Create([new("wifv", 0), new("ifv", 0)])), "positive");
        AllocationTests.AssertOneLine(Assert.Throws<UserInputException>(() => MetricMixture.Create([new("wifv", -1), new("ifv", 2)])), "non-negative");
        AllocationTests.AssertOneLine(Assert.Throws<UserInputException>(() => MetricMixture.Create([new("snip", 1)])), "snip");
        AllocationTests.AssertOneLine(Assert.Throws<UserInputException>(() => ImportanceMetricNames.Parse("taylor")), "taylor");
    }

    [Fact]
    public void Given_a_mixture_When_scoring_a_model_Then_it_is_the_weighted_sum_of_per_layer_z_scores()
    {
        using var model = RandomModels.GqaWithBiases();
        var windows = RandomModels.RandomWindows(model.Config.VocabSize, 3, 12, seed: 8);
        var stats = CalibrationStatistics.Collect(model, windows, 3, 12, batchSize: 3).AggregateAll();
        var mixed = MetricMixture.Create([new("wifv", 1), new("wanda-sp", 1)]).Score(model, stats);
        var wifv = MetricMixture.Single(ImportanceMetric.Wifv).Score(model, stats);
        var wanda = MetricMixture.Single(ImportanceMetric.WandaSp).Score(model, stats);
        for (int l = 0; l < model.Layers.Count; l++)
        {
            Assert.Equal(model.Config.NumKeyValueHeads, mixed[l].KvGroups.Length);
            var expected = wifv[l].Channels.Zip(wanda[l].Channels, (a, b) => 0.5 * a + 0.5 * b).ToArray();
            for (int j = 0; j < expected.Length; j++) Assert.Equal(expected[j], mixed[l].Channels[j], 9);
            var expectedGroups = wifv[l].KvGroups.Zip(wanda[l].KvGroups, (a, b) => 0.5 * a + 0.5 * b).ToArray();
            for (int k = 0; k < expectedGroups.Length; k++) Assert.Equal(expectedGroups[k], mixed[l].KvGroups[k], 9);
            // A single FLAP metric's group score is the mean of its channels' per-layer z-scores, squared first (FLAP, docs/methods.md §1-2).
            var z = Standardization.ZScores(ChannelImportance.Score(ImportanceMetric.Wifv, model.Layers[l].OProj!, stats.Layers[l].Attention)
                .Select(s => s * s).ToArray());
            int perGroup = model.Layers[l].Widths.GroupSize * model.Config.HeadDim;
            for (int k = 0; k < wifv[l].KvGroups.Length; k++)
                Assert.Equal(z.Skip(k * perGroup).Take(perGroup).Average(), wifv[l].KvGroups[k], 9);
        }
    }
}

using Search.Model;
using Search.Pruning.Allocation;
using Search.Pruning.Metrics;
using Search.Pruning.Statistics;
using Search.Pruning.Surgery;

namespace Search.Tests.Pruning;

[Collection(PruningCollection.Name)]
public sealed class CalibrationStatisticsTests
{
    private const int SeqLen = 16;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Given_prefix_sums_When_aggregating_the_first_k_windows_Then_they_equal_statistics_collected_on_those_windows_alone(int subset)
    {
        using var model = RandomModels.GqaWithBiases();
        const int pool = 7;
        var windows = RandomModels.RandomWindows(model.Config.VocabSize, pool, SeqLen, seed: 3);
        var all = CalibrationStatistics.Collect(model, windows, pool, SeqLen, batchSize: 3);
        var direct = CalibrationStatistics.Collect(model, windows[..(subset * SeqLen)], subset, SeqLen, batchSize: 4).AggregateAll();
        var summed = all.Aggregate(subset);
        Assert.Equal(subset, summed.Windows);
        for (int l = 0; l < model.Layers.Count; l++)
            foreach (var (a, b) in new[] { (summed.Layers[l].Attention, direct.Layers[l].Attention), (summed.Layers[l].Mlp, direct.Layers[l].Mlp) })
            {
                Assert.Equal(b.Tokens, a.Tokens);
                AssertClose(b.Mean, a.Mean);
                AssertClose(b.Variance, a.Variance);
                AssertClose(b.MeanSquare, a.MeanSquare);
            }
    }

    [Fact]
    public void Given_statistics_When_saved_and_loaded_Then_every_sum_round_trips_and_a_damaged_stream_is_rejected()
    {
        using var model = RandomModels.Mha();
        var windows = RandomModels.RandomWindows(model.Config.VocabSize, 3, SeqLen, seed: 4);
        var stats = CalibrationStatistics.Collect(model, windows, 3, SeqLen, batchSize: 2);
        using var buffer = new MemoryStream();
        stats.Save(buffer);
        buffer.Position = 0;
        var loaded = CalibrationStatistics.Load(buffer);
        loaded.EnsureMatches(model.Config);
        Assert.Equal(stats.Windows, loaded.Windows);
        Assert.Equal(stats.Rungs, loaded.Rungs);
        Assert.Equal(stats.SeqLen, loaded.SeqLen);
        for (int l = 0; l < stats.Layers.Count; l++)
        {
            Assert.Equal(stats.Layers[l].Attention.Sum, loaded.Layers[l].Attention.Sum);
            Assert.Equal(stats.Layers[l].Mlp.SumOfSquares, loaded.Layers[l].Mlp.SumOfSquares);
            Assert.Equal(stats.Layers[l].Mlp.Tokens, loaded.Layers[l].Mlp.Tokens);
        }
        var bytes = buffer.ToArray();
        Assert.Throws<InvalidDataException>(() => CalibrationStatistics.Load(new MemoryStream(bytes[..^20])));
        var wrongMagic = (byte[])bytes.Clone();
        wrongMagic[0] ^= 0xFF;
        Assert.Throws<InvalidDataException>(() => CalibrationStatistics.Load(new MemoryStream(wrongMagic)));
        using var other = RandomModels.GqaWithBiases();
        Assert.Throws<UserInputException>(() => loaded.EnsureMatches(other.Config));
    }

    [Fact]
    public void Given_statistics_collected_once_When_pruning_ten_times_with_different_sample_counts_Then_the_dense_model_ran_one_pass()
    {
        using var model = RandomModels.Mha();
        const int pool = 8, batch = 4;
        var windows = RandomModels.RandomWindows(model.Config.VocabSize, pool, SeqLen, seed: 5);
        var batches = new List<int>();
        var stats = CalibrationStatistics.Collect(model, windows, pool, SeqLen, batch, batches.Add);
        var rng = new Random(6);
        for (int trial = 0; trial < 10; trial++)
        {
            var channelStats = stats.Aggregate(stats.Rungs[rng.Next(stats.Rungs.Count)]);
            var scores = MetricMixture.Single(ImportanceMetric.Wifv).Score(model, channelStats);
            var plan = Allocator.Allocate(model, scores, PruningStructure.AdaptiveLayersAdaptiveModules, 0.05 * trial);
            using var pruned = Surgery.Apply(model, plan, channelStats, Compensation.FlapBias);
        }
        // One pass, its batches cut at the ladder's rungs: windows 0, 1, 2..3, 4..7; the ten trials
        // read the sums only (Aggregate takes no model), so nothing else ran the dense model.
        Assert.Equal([1, 1, 2, 4], batches);
    }

    [Fact]
    public void Given_a_pool_When_asking_for_a_count_off_the_ladder_Then_it_is_refused_and_snapping_picks_the_nearest_rung()
    {
        using var model = RandomModels.Mha();
        var stats = CalibrationStatistics.Collect(model, RandomModels.RandomWindows(model.Config.VocabSize, 6, SeqLen, seed: 8), 6, SeqLen, 2);
        Assert.Equal(new[] { 1, 2, 4, 6 }, stats.Rungs);
        Assert.Throws<UserInputException>(() => stats.Aggregate(3));
        Assert.Equal(new[] { 1, 2, 4, 4, 4, 8, 128, 128, 1024 }, new[] { 1, 2, 3, 5, 4, 6, 100, 128, 1024 }.Select(n => CalibrationLadder.Snap(n, 1024)));
        Assert.Equal(6, CalibrationLadder.Snap(5, 6));
        Assert.Equal(11, CalibrationLadder.Rungs(1024).Length);
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int j = 0; j < expected.Length; j++)
            Assert.True(Math.Abs(expected[j] - actual[j]) <= 1e-9 * (1 + Math.Abs(expected[j])), $"channel {j}: {expected[j]} vs {actual[j]}");
    }
}

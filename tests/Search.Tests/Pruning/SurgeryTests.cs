using Search.Model;
using Search.Pruning.Allocation;
using Search.Pruning.Metrics;
using Search.Pruning.Statistics;
using Search.Pruning.Surgery;
using static TorchSharp.torch;

namespace Search.Tests.Pruning;

[Collection(PruningCollection.Name)]
public sealed class SurgeryTests
{
    private const int SeqLen = 16;
    private const double Tolerance = 1e-4;

    public static TheoryData<string, string, double> Cases()
    {
        var data = new TheoryData<string, string, double>();
        foreach (var model in new[] { "mha", "gqa" })
            foreach (var structure in new[] { "AL-AM", "UL-UM" })
                foreach (var ratio in new[] { 0.2, 0.5 })
                    data.Add(model, structure, ratio);
        return data;
    }

    private static Transformer RandomModel(string name) => name == "mha" ? RandomModels.Mha() : RandomModels.GqaWithBiases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Given_a_plan_When_slicing_the_weights_Then_logits_equal_the_masked_dense_model_with_and_without_compensation(
        string modelName, string structure, double ratio)
    {
        using var model = RandomModel(modelName);
        AssertSurgeryMatchesMasking(model, PruningStructureNames.Parse(structure), ratio, seed: 9);
    }

    [SharedFact]
    public void Given_stories260K_When_slicing_the_weights_Then_logits_equal_the_masked_dense_model_with_and_without_compensation()
    {
        foreach (double ratio in new[] { 0.2, 0.5 })
            AssertSurgeryMatchesMasking(Stories260KFixture.Model, PruningStructure.AdaptiveLayersAdaptiveModules, ratio, seed: 10);
    }

    [Fact]
    public void Given_an_already_pruned_model_When_pruning_it_again_Then_per_layer_widths_slice_and_compensate_correctly()
    {
        using var dense = RandomModels.GqaWithBiases();
        var (stats, _) = Collect(dense, seed: 11);
        var plan = Allocator.Allocate(dense, MetricMixture.Single(ImportanceMetric.Wifv).Score(dense, stats),
            PruningStructure.AdaptiveLayersAdaptiveModules, 0.4);
        using var once = Surgery.Apply(dense, plan, stats, Compensation.FlapBias);
        Assert.False(once.Config.IsDense);
        Assert.True(once.Config.Layers.Select(l => l.IntermediateSize).Distinct().Count() > 1, plan.ToString());
        Assert.All(once.Config.Layers, l => Assert.True(l.OProjBias || l.NumHeads == dense.Config.NumAttentionHeads));
        AssertSurgeryMatchesMasking(once, PruningStructure.AdaptiveLayersAdaptiveModules, 0.3, seed: 12);
        Assert.True(once.ParameterCount() < dense.ParameterCount());
    }

    [Fact]
    public void Given_ratio_zero_When_applying_the_plan_Then_the_pruned_model_is_the_identity()
    {
        using var model = RandomModels.GqaWithBiases();
        var (stats, windows) = Collect(model, seed: 13);
        var plan = Allocator.Allocate(model, MetricMixture.Single(ImportanceMetric.Wifv).Score(model, stats),
            PruningStructure.AdaptiveLayersAdaptiveModules, 0);
        Assert.All(plan.Layers, l => Assert.True(l.KeepsEverything));
        Assert.Equal(0, plan.RemovedParams);
        using var pruned = Surgery.Apply(model, plan, stats, Compensation.FlapBias);
        Assert.Equal(model.ParameterCount(), pruned.ParameterCount());
        Assert.Equal(0.0, Logits.MaxAbsDifference(model, pruned, windows, 2, SeqLen));
    }

    [Fact]
    public void Given_a_pruned_model_When_it_is_disposed_Then_the_dense_model_it_aliases_still_works()
    {
        using var model = RandomModels.GqaWithBiases();
        var (stats, windows) = Collect(model, seed: 14);
        using var ids = tensor(windows.AsSpan(0, 2 * SeqLen).ToArray(), [2, SeqLen], ScalarType.Int64);
        using var noGrad = no_grad();
        using var before = model.Forward(ids);
        var plan = Allocator.Allocate(model, MetricMixture.Single(ImportanceMetric.MagnitudeSp).Score(model, null),
            PruningStructure.AdaptiveLayersAdaptiveModules, 0.3);
        var pruned = Surgery.Apply(model, plan, stats, Compensation.FlapBias);
        using (pruned.Forward(ids)) { }
        pruned.Dispose();
        using var after = model.Forward(ids);
        Assert.Equal(0.0, (after - before).abs().max().item<float>());
    }

    [Fact]
    public void Given_pruned_channels_When_compensating_Then_the_bias_is_W_of_pruned_columns_times_their_means_plus_the_old_bias()
    {
        using var noGrad = no_grad();
        using var weight = tensor(new float[,] { { 1, 2, 3, 4 }, { -1, 0, 5, 2 } }); // [d=2, C=4]
        using var oldBias = tensor(new float[] { 0.5f, -0.5f });
        var moments = new ChannelMoments([10, 20, 30, 40], [1, 1, 1, 1], [1, 1, 1, 1], 5);
        using var bias = BiasCompensation.PrunedBias(weight, oldBias, [0, 2], moments, Compensation.FlapBias)!;
        // Pruned channels 1 and 3: b_i = W_i1·20 + W_i3·40 + old_i.
        Assert.Equal(new[] { 2 * 20 + 4 * 40 + 0.5f, 0 * 20 + 2 * 40 - 0.5f }, bias.data<float>().ToArray());
        using var none = BiasCompensation.PrunedBias(weight, null, [0, 2], moments, Compensation.None);
        Assert.Null(none);
        Assert.Throws<UserInputException>(() => Surgery.Apply(RandomModelsCache.Mha, Allocator.Identity(RandomModelsCache.Mha), null, Compensation.FlapBias));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.0)]
    public void Given_query_heads_pruned_inside_groups_and_skipped_blocks_When_slicing_Then_logits_equal_the_masked_dense_model(double headRatio)
    {
        using var model = RandomModels.GqaWithBiases(); // 8 query heads in 4 KV groups: g = 2
        var (stats, windows) = Collect(model, seed: 13);
        var scores = MetricMixture.Single(ImportanceMetric.Wifv).Score(model, stats);
        // Layer 0: one head of every group goes; layer 1: attention and MLP skipped entirely; layer 2: MLP only.
        var ratios = new LayerRatios([headRatio, 1.0, 0.0], [0.3, 1.0, 0.5]);
        var plan = Allocator.AllocateLayerRatios(model, scores, ratios, unit: AttentionUnit.QueryHead);
        Assert.Equal(headRatio == 0.5 ? 4 : 8, plan.Layers[0].KeptQueryHeads().Length);
        Assert.Equal(4, plan.Layers[0].KeptKvGroups.Length);                 // every KV head stays
        Assert.Empty(plan.Layers[1].KeptKvGroups);
        Assert.Empty(plan.Layers[1].KeptChannels);
        foreach (var compensation in new[] { Compensation.None, Compensation.FlapBias })
        {
            using var pruned = Surgery.Apply(model, plan, stats, compensation);
            using var masked = Masking.MaskedDense(model, plan, stats, compensation);
            Assert.Equal(headRatio == 0.5 ? 4 : 8, pruned.Config.Layers[0].NumHeads);
            Assert.Equal(4, pruned.Config.Layers[0].NumKvHeads);
            Assert.Equal(0, pruned.Config.Layers[1].NumHeads);
            Assert.Equal(model.ParameterCount() - plan.RemovedParams + BiasParams(pruned) - BiasParams(model), pruned.ParameterCount());
            double diff = Logits.MaxAbsDifference(pruned, masked, windows, 2, SeqLen);
            Assert.True(diff < Tolerance, $"{compensation} {plan}: max |Δlogit| = {diff}");
        }
    }

    private static (ChannelStats Stats, long[] Windows) Collect(Transformer model, int seed, int count = 4)
    {
        var windows = RandomModels.RandomWindows(model.Config.VocabSize, count, SeqLen, seed);
        return (CalibrationStatistics.Collect(model, windows, count, SeqLen, batchSize: count).AggregateAll(), windows);
    }

    private static void AssertSurgeryMatchesMasking(Transformer model, PruningStructure structure, double ratio, int seed)
    {
        var (stats, windows) = Collect(model, seed);
        var scores = MetricMixture.Single(ImportanceMetric.Wifv).Score(model, stats);
        var plan = Allocator.Allocate(model, scores, structure, ratio);
        Assert.True(plan.RemovedParams > 0, plan.ToString());
        foreach (var compensation in new[] { Compensation.None, Compensation.FlapBias })
        {
            using var pruned = Surgery.Apply(model, plan, stats, compensation);
            using var masked = Masking.MaskedDense(model, plan, stats, compensation);
            Assert.Equal(model.ParameterCount() - plan.RemovedParams + BiasParams(pruned) - BiasParams(model), pruned.ParameterCount());
            double diff = Logits.MaxAbsDifference(pruned, masked, windows, 2, SeqLen);
            Assert.True(diff < Tolerance, $"{compensation} {plan}: max |Δlogit| = {diff}");
        }
    }

    private static long BiasParams(Transformer m) =>
        m.Layers.Sum(l => (l.OBias?.numel() ?? 0) + (l.DownBias?.numel() ?? 0));
}

using Search.Model;
using Search.Pruning.Allocation;
using Search.Pruning.Metrics;
using Search.Pruning.Statistics;

namespace Search.Tests.Pruning;

[Collection(PruningCollection.Name)]
public sealed class AllocationTests
{
    private const int SeqLen = 16;

    public static TheoryData<string> RandomModelNames => new() { "mha", "gqa" };

    private static Transformer RandomModel(string name) => name == "mha" ? RandomModels.Mha() : RandomModels.GqaWithBiases();

    private static (IReadOnlyList<LayerUnitScores> Scores, ChannelStats Stats) Wifv(Transformer model, long[]? windows = null, int count = 4, int seqLen = SeqLen)
    {
        windows ??= RandomModels.RandomWindows(model.Config.VocabSize, count, seqLen, seed: 7);
        var stats = CalibrationStatistics.Collect(model, windows, count, seqLen, batchSize: count).AggregateAll();
        return (MetricMixture.Single(ImportanceMetric.Wifv).Score(model, stats), stats);
    }

    [Theory]
    [MemberData(nameof(RandomModelNames))]
    public void Given_a_random_model_When_AL_AM_prunes_10_to_50_percent_Then_it_lands_within_FLAPs_bound_and_the_exact_twin_on_the_target(string name)
    {
        using var model = RandomModel(name);
        AssertAlAmHitsTargets(model, Wifv(model).Scores);
    }

    [SharedFact]
    public void Given_stories260K_When_AL_AM_prunes_10_to_50_percent_Then_it_lands_within_FLAPs_bound_and_the_exact_twin_on_the_target()
    {
        var model = Stories260KFixture.Model;
        var windows = Stories260KFixture.Calibration[..(16 * Stories260KFixture.SeqLen)];
        AssertAlAmHitsTargets(model, Wifv(model, windows, 16, Stories260KFixture.SeqLen).Scores);
    }

    private static void AssertAlAmHitsTargets(Transformer model, IReadOnlyList<LayerUnitScores> scores)
    {
        long largestUnit = model.Layers.Select(LayerUnitCosts.Of).Max(c => Math.Max(c.KvGroupCost, c.ChannelCost));
        long channel = model.Layers.Select(LayerUnitCosts.Of).Max(c => c.ChannelCost);
        foreach (double ratio in new[] { 0.1, 0.2, 0.3, 0.4, 0.5 })
        {
            var plan = Allocator.Allocate(model, scores, PruningStructure.AdaptiveLayersAdaptiveModules, ratio);
            Assert.Equal(ratio, plan.TargetRatio);
            // FLAP's cumulative cost lands within half a unit of the target and the strict test drops that unit too.
            double over = plan.RemovedParams - ratio * plan.PrunableParams;
            Assert.True(over >= -0.5 * largestUnit && over <= 1.5 * largestUnit, plan.ToString());
            var exact = Allocator.Allocate(model, scores, PruningStructure.AdaptiveLayersAdaptiveModulesExact, ratio);
            Assert.True(Math.Abs(exact.RemovedParams - ratio * exact.PrunableParams) <= channel / 2.0, exact.ToString());
            Assert.Equal((double)plan.RemovedParams / plan.PrunableParams, plan.AchievedRatio, 12);
            Assert.All(plan.Layers, l => Assert.True(l.KeptKvGroups.Length > 0 && l.KeptChannels.Length > 0));
            Assert.All(plan.Layers, l => Assert.Equal(l.KeptChannels.Order().ToArray(), l.KeptChannels));
        }
    }

    [Fact]
    public void Given_unit_shapes_When_costing_Then_a_KV_group_costs_h_d_2g_plus_2_and_a_channel_3d_plus_biases()
    {
        using var mha = RandomModels.Mha();
        var c = LayerUnitCosts.Of(mha.Layers[0]);
        long d = mha.Config.HiddenSize, h = mha.Config.HeadDim;
        Assert.Equal(h * d * (2 * 1 + 2), c.KvGroupCost);
        Assert.Equal(3 * d, c.ChannelCost);
        using var gqa = RandomModels.GqaWithBiases();
        var g = gqa.Config.NumAttentionHeads / gqa.Config.NumKeyValueHeads;
        long dg = gqa.Config.HiddenSize, hg = gqa.Config.HeadDim;
        var cg = LayerUnitCosts.Of(gqa.Layers[0]);
        Assert.Equal(hg * dg * (2 * g + 2) + hg * (g + 2), cg.KvGroupCost);  // + q/k/v bias entries
        Assert.Equal(3 * dg + 2, cg.ChannelCost);                             // + gate/up bias entries
    }

    [Theory]
    [InlineData("UL-UM")]
    [InlineData("UL-MM")]
    [InlineData("AL-MM")]
    [InlineData("AL-AM")]
    [InlineData("UL-UM-exact")]
    [InlineData("AL-AM-exact")]
    public void Given_each_structure_When_pruning_30_percent_Then_the_plan_is_valid_and_removes_about_that_much(string structure)
    {
        using var model = RandomModels.Mha();
        var scores = Wifv(model).Scores;
        var plan = Allocator.Allocate(model, scores, PruningStructureNames.Parse(structure), 0.3);
        Assert.Equal(structure, plan.Structure);
        Assert.InRange(plan.AchievedRatio, 0.15, 0.4);
        if (structure.EndsWith("-exact", StringComparison.Ordinal)) Assert.Equal(0.3, plan.AchievedRatio, 2);
        if (structure.StartsWith("UL", StringComparison.Ordinal))
            Assert.All(plan.Layers, l => Assert.Equal(model.Layers[0].Widths.NumKvHeads - 1, l.KeptKvGroups.Length)); // ⌊0.3·6⌋ = 1
        if (structure == "UL-UM")
            Assert.All(plan.Layers, l => Assert.Equal(70, l.KeptChannels.Length)); // 100 − int(0.3·100)
    }

    [Fact]
    public void Given_explicit_layer_ratios_When_allocating_Then_each_layer_loses_its_lowest_scoring_units()
    {
        using var model = RandomModels.Mha();
        var scores = Wifv(model).Scores;
        var plan = Allocator.AllocateLayerRatios(model, scores, new LayerRatios([0.5, 0.0, 0.34], [0.1, 0.5, 0.0]));
        Assert.Equal([3, 6, 4], plan.Layers.Select(l => l.KeptKvGroups.Length));
        Assert.Equal([90, 50, 100], plan.Layers.Select(l => l.KeptChannels.Length));
        var lowest = Enumerable.Range(0, 6).OrderBy(i => scores[0].KvGroups[i]).Take(3).ToHashSet();
        Assert.DoesNotContain(plan.Layers[0].KeptKvGroups, lowest.Contains);
    }

    [Fact]
    public void Given_bad_inputs_When_allocating_Then_a_one_line_UserInputException_says_what_is_wrong()
    {
        using var model = RandomModels.Mha();
        var scores = MetricMixture.Single(ImportanceMetric.MagnitudeSp).Score(model, null);
        foreach (double bad in new[] { -0.1, 1.0, 1.5, double.NaN })
            AssertOneLine(Assert.Throws<UserInputException>(() =>
                Allocator.Allocate(model, scores, PruningStructure.AdaptiveLayersAdaptiveModules, bad)), "[0, 1)");
        AssertOneLine(Assert.Throws<UserInputException>(() =>
            Allocator.AllocateLayerRatios(model, scores, new LayerRatios([0.1, 0.1], [0.1, 0.1, 0.1]))), "3 layers");
        // A ratio of exactly 1 is the explicit "skip this block" level (depth pruning); it needs no flag.
        Assert.Empty(Allocator.AllocateLayerRatios(model, scores, new LayerRatios([1.0, 0.1, 0.1], [0.1, 0.1, 0.1])).Layers[0].KeptKvGroups);
        var emptied = Allocator.AllocateLayerRatios(model, scores, new LayerRatios([1.0, 0.1, 0.1], [0.1, 0.1, 1.0]), allowEmptyBlocks: true);
        Assert.Empty(emptied.Layers[0].KeptKvGroups);
        Assert.Empty(emptied.Layers[2].KeptChannels);
        AssertOneLine(Assert.Throws<UserInputException>(() => PruningStructureNames.Parse("XL-AM")), "XL-AM");
    }

    [Fact]
    public void Given_a_high_ratio_When_AL_AM_prunes_Then_no_block_is_emptied_unless_allowed()
    {
        using var model = RandomModels.Mha();
        var scores = Wifv(model).Scores;
        var guarded = Allocator.Allocate(model, scores, PruningStructure.AdaptiveLayersAdaptiveModules, 0.95);
        Assert.All(guarded.Layers, l => Assert.True(l.KeptKvGroups.Length >= 1 && l.KeptChannels.Length >= 1));
        var free = Allocator.Allocate(model, scores, PruningStructure.AdaptiveLayersAdaptiveModules, 0.99, allowEmptyBlocks: true);
        Assert.True(free.AchievedRatio > 0.95, free.ToString());
    }

    internal static void AssertOneLine(Exception e, string mentions)
    {
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains(mentions, e.Message);
    }
}

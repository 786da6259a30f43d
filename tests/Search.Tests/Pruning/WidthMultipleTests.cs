using Search.Model;
using Search.Pruning.Allocation;
using Search.Pruning.Metrics;
using Search.Pruning.Statistics;

namespace Search.Tests.Pruning;

/// <summary>
/// --width-multiple N: every layer keeps a multiple of N MLP channels (the ones that score best), the
/// exact-budget repair moves N channels at a time and still meets the budget within half of N
/// channels, and N = 1 is the allocation without it.
/// </summary>
[Collection(PruningCollection.Name)]
public sealed class WidthMultipleTests
{
    /// <summary>MHA, 3 layers, hidden 48, 100 channels per layer: multiples of 8 stop at 96.</summary>
    private static Transformer Model() => RandomModels.Mha(seed: 3);

    private static IReadOnlyList<LayerUnitScores> Wifv(Transformer model)
    {
        var windows = RandomModels.RandomWindows(model.Config.VocabSize, 4, 16, seed: 9);
        var stats = CalibrationStatistics.Collect(model, windows, 4, 16, batchSize: 4).AggregateAll();
        return MetricMixture.Single(ImportanceMetric.Wifv).Score(model, stats);
    }

    private static long ChannelCost(Transformer model) => LayerUnitCosts.Of(model.Layers[0]).ChannelCost;

    /// <summary>Every kept channel outscores every removed one of its layer: the kept set is the layer's top-k.</summary>
    private static void AssertTopScoring(PruningPlan plan, IReadOnlyList<LayerUnitScores> scores)
    {
        for (int l = 0; l < plan.Layers.Count; l++)
        {
            var kept = plan.Layers[l].KeptChannels;
            var removed = Enumerable.Range(0, scores[l].Channels.Length).Except(kept).ToArray();
            if (kept.Length == 0 || removed.Length == 0) continue;
            Assert.True(kept.Min(c => scores[l].Channels[c]) >= removed.Max(c => scores[l].Channels[c]), $"layer {l}");
        }
    }

    [Theory]
    [InlineData(8, 0.3)]
    [InlineData(16, 0.5)]
    [InlineData(32, 0.2)]
    public void Given_searched_ratios_and_a_width_multiple_When_allocated_with_the_exact_budget_Then_every_MLP_keeps_a_multiple_within_the_budget(
        int multiple, double target)
    {
        using var model = Model();
        var scores = Wifv(model);
        var spec = AllocationSpec.ForLayerRatios(new LayerRatios([0.0, 0.5, 0.33], [0.1, 0.45, 0.62])).WithExactBudget(target)
                   with { WidthMultiple = multiple };
        var plan = spec.Plan(model, scores);
        Assert.All(plan.Layers, l => Assert.True(l.KeptChannels.Length % multiple == 0 && l.KeptChannels.Length > 0,
            $"{l.KeptChannels.Length} channels kept, multiple {multiple}"));
        Assert.True(Math.Abs(plan.RemovedParams - target * plan.PrunableParams) <= multiple * ChannelCost(model) / 2.0, plan.ToString());
        Assert.Equal((double)plan.RemovedParams / plan.PrunableParams, plan.AchievedRatio, 12);
        AssertTopScoring(plan, scores);
    }

    [Fact]
    public void Given_FLAPs_AL_AM_exact_twin_with_multiple_16_When_allocated_Then_widths_are_multiples_and_the_achieved_ratio_is_reported()
    {
        using var model = Model();
        var scores = Wifv(model);
        var plan = Allocator.Allocate(model, scores, PruningStructure.AdaptiveLayersAdaptiveModulesExact, 0.4, widthMultiple: 16);
        Assert.All(plan.Layers, l => Assert.Equal(0, l.KeptChannels.Length % 16));
        Assert.True(Math.Abs(plan.RemovedParams - 0.4 * plan.PrunableParams) <= 16 * ChannelCost(model) / 2.0, plan.ToString());
        Assert.Equal("AL-AM-exact", plan.Structure);
        AssertTopScoring(plan, scores);
        // The published rule (no repair) is rounded too, and reports where it landed.
        var published = Allocator.Allocate(model, scores, PruningStructure.AdaptiveLayersAdaptiveModules, 0.4, widthMultiple: 16);
        Assert.All(published.Layers, l => Assert.Equal(0, l.KeptChannels.Length % 16));
        Assert.Equal((double)published.RemovedParams / published.PrunableParams, published.AchievedRatio, 12);
    }

    [Fact]
    public void Given_multiple_1_When_allocated_Then_the_plan_is_the_one_without_the_option()
    {
        using var model = Model();
        var scores = Wifv(model);
        var ratios = new LayerRatios([0.0, 0.5, 0.33], [0.13, 0.45, 0.62]);
        var with1 = (AllocationSpec.ForLayerRatios(ratios).WithExactBudget(0.3) with { WidthMultiple = 1 }).Plan(model, scores);
        var without = AllocationSpec.ForLayerRatios(ratios).WithExactBudget(0.3).Plan(model, scores);
        Assert.Equal(without.Layers.Select(l => l.KeptChannels), with1.Layers.Select(l => l.KeptChannels));
        Assert.Contains(without.Layers, l => l.KeptChannels.Length % 8 != 0); // so the multiple-8 plans above are not this one by luck
    }

    [Fact]
    public void Given_ordered_scores_and_too_few_removed_When_repaired_8_at_a_time_Then_whole_chunks_leave_the_lowest_layer_first()
    {
        using var model = Model();
        // Channel c of layer l scores l·1000 + c: layer 0's low channels are the cheapest to lose.
        var scores = model.Layers.Select((layer, l) => new LayerUnitScores(new double[layer.Widths.NumKvHeads],
            Enumerable.Range(0, layer.Widths.IntermediateSize).Select(c => l * 1000.0 + c).ToArray())).ToList();
        var plan = Allocator.AllocateLayerRatios(model, scores, new LayerRatios([0, 0, 0], [0, 0, 0]), widthMultiple: 8);
        Assert.All(plan.Layers, l => Assert.Equal(96, l.KeptChannels.Length)); // 100 → 96: the four lowest go
        Assert.Equal(Enumerable.Range(4, 96), plan.Layers[1].KeptChannels);
        var repaired = BudgetRepair.Repair(model, scores, plan, 0.1, widthMultiple: 8);
        Assert.All(repaired.Layers, l => Assert.Equal(0, l.KeptChannels.Length % 8));
        int removedFromLayer0 = 96 - repaired.Layers[0].KeptChannels.Length;
        Assert.True(removedFromLayer0 > 0);
        Assert.Equal(Enumerable.Range(4 + removedFromLayer0, 96 - removedFromLayer0), repaired.Layers[0].KeptChannels);
        Assert.True(Math.Abs(repaired.RemovedParams - 0.1 * repaired.PrunableParams) <= 8 * ChannelCost(model) / 2.0, repaired.ToString());
    }

    [Fact]
    public void Given_a_multiple_wider_than_a_layer_When_checked_Then_one_line_names_the_layer()
    {
        using var model = Model();
        var e = Assert.Throws<UserInputException>(() =>
            (AllocationSpec.ForStructure(PruningStructure.AdaptiveLayersAdaptiveModules, 0.2) with { WidthMultiple = 128 }).EnsureFits(model));
        Assert.Contains("--width-multiple 128 exceeds layer 0's MLP width 100", e.Message);
    }
}

using Search.Model;
using Search.Pruning.Allocation;
using Search.Pruning.Metrics;

namespace Search.Tests.Pruning;

/// <summary>BudgetRepair on hand-made scores: where the channels come from, and the hard budget it enforces.</summary>
[Collection(PruningCollection.Name)]
public sealed class BudgetRepairTests
{
    /// <summary>Scores that make every choice obvious: channel c of layer l scores l·1000 + c; groups score by index.</summary>
    private static IReadOnlyList<LayerUnitScores> Ordered(Transformer model) =>
        model.Layers.Select((layer, l) => new LayerUnitScores(
            Enumerable.Range(0, layer.Widths.NumKvHeads).Select(k => (double)k).ToArray(),
            Enumerable.Range(0, layer.Widths.IntermediateSize).Select(c => l * 1000.0 + c).ToArray())).ToList();

    private static long ChannelCost(Transformer model) => LayerUnitCosts.Of(model.Layers[0]).ChannelCost;

    [Theory]
    [InlineData(0.2)]
    [InlineData(0.35)]
    [InlineData(0.5)]
    public void Given_per_layer_ratios_that_miss_the_budget_When_repaired_Then_the_removed_params_are_within_half_a_channel(double target)
    {
        using var model = RandomModels.GqaWithBiases();
        var scores = Ordered(model);
        // Attention is coarse (4 groups): 0.5 of the groups in every layer overshoots or undershoots any target.
        var ratios = new LayerRatios([0.5, 0.5, 0.5], [0.0, 0.1, 0.2]);
        var plan = Allocator.AllocateLayerRatios(model, scores, ratios);
        var repaired = BudgetRepair.Repair(model, scores, plan, target);
        Assert.True(Math.Abs(repaired.RemovedParams - target * repaired.PrunableParams) <= ChannelCost(model) / 2.0, repaired.ToString());
        Assert.Equal(target, repaired.TargetRatio);
        Assert.EndsWith("+budget", repaired.Structure);
        // The searched attention shape is kept: only MLP channels move.
        Assert.Equal(plan.Layers.Select(l => l.KeptKvGroups), repaired.Layers.Select(l => l.KeptKvGroups));
    }

    [Fact]
    public void Given_too_few_removed_When_repaired_Then_the_globally_lowest_scoring_kept_channels_go_first()
    {
        using var model = RandomModels.Mha();
        var scores = Ordered(model);
        var plan = Allocator.AllocateLayerRatios(model, scores, new LayerRatios([0, 0, 0], [0, 0, 0]));
        var repaired = BudgetRepair.Repair(model, scores, plan, 0.1);
        long removedChannels = (long)Math.Round(0.1 * plan.PrunableParams / ChannelCost(model));
        // Layer 0's channels score lowest (0..99), so they are removed first, from channel 0 up.
        var removed = Enumerable.Range(0, 100).Except(repaired.Layers[0].KeptChannels).ToArray();
        Assert.Equal(Enumerable.Range(0, (int)removedChannels), removed);
        Assert.Equal(100, repaired.Layers[1].KeptChannels.Length);
    }

    [Fact]
    public void Given_too_many_removed_When_repaired_Then_the_highest_scoring_removed_channels_come_back_first()
    {
        using var model = RandomModels.Mha();
        var scores = Ordered(model);
        var plan = Allocator.AllocateLayerRatios(model, scores, new LayerRatios([0, 0, 0], [0.5, 0.5, 0.5]));
        var repaired = BudgetRepair.Repair(model, scores, plan, 0.3);
        // Layer 2 scores highest, so its removed channels (the low half, 0..49) return from 49 down.
        Assert.Equal(50, repaired.Layers[0].KeptChannels.Length);
        Assert.Equal(50, repaired.Layers[1].KeptChannels.Length);
        var back = repaired.Layers[2].KeptChannels.Where(c => c < 50).ToArray();
        Assert.NotEmpty(back);
        Assert.Equal(Enumerable.Range(50 - back.Length, back.Length), back);
    }

    [Fact]
    public void Given_a_plan_already_on_target_When_repaired_Then_it_is_returned_unchanged()
    {
        using var model = RandomModels.Mha();
        var scores = Ordered(model);
        var plan = Allocator.AllocateLayerRatios(model, scores, new LayerRatios([0, 0, 0], [0, 0, 0]));
        Assert.Same(plan, BudgetRepair.Repair(model, scores, plan, 0));
    }

    [Fact]
    public void Given_a_target_no_channel_move_can_reach_When_repaired_Then_one_line_names_the_budget()
    {
        using var model = RandomModels.Mha();
        var scores = Ordered(model);
        // Every MLP block keeps one channel at most: removing 95% would need more than all MLP channels.
        var plan = Allocator.AllocateLayerRatios(model, scores, new LayerRatios([0, 0, 0], [0, 0, 0]));
        var e = Assert.Throws<UserInputException>(() => BudgetRepair.Repair(model, scores, plan, 0.95));
        Assert.Contains("budget", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}

using Search.Optimization.Samplers;
using Search.Optimization.Spaces;
using Search.Optimization.Storage;
using Search.Optimization.Trials;

namespace Search.Optimization.Tests.Samplers;

public sealed class EvolutionarySamplerTests
{
    private static LayerRatiosDimension[] Dimensions(SearchSpace space) => space.Dimensions.OfType<LayerRatiosDimension>().ToArray();

    [Fact]
    public void Given_many_random_mutations_Then_the_level_sum_per_module_type_is_preserved_and_offspring_never_copy_the_parent()
    {
        var dimensions = Dimensions(TestData.DarwinSpace(layers: 6));
        var rng = new Random(42);
        var parent = Genome.AtTarget(dimensions);
        var expectedSums = parent.LevelsPerModuleType.Select(l => l.Sum()).ToArray();
        for (var round = 0; round < 300; round++)
        {
            var child = BudgetPreservingMutation.Mutate(parent, dimensions, rng);
            Assert.Equal(expectedSums, child.LevelsPerModuleType.Select(l => l.Sum()));
            Assert.All(child.LevelsPerModuleType.SelectMany(l => l), level => Assert.InRange(level, 0, dimensions[0].MaxLevel));

            var offspring = BudgetPreservingMutation.Offspring(parent, dimensions, 16, rng);
            Assert.Equal(16, offspring.Count);
            Assert.DoesNotContain(parent, offspring);
            Assert.Equal(16, offspring.Distinct().Count());
            Assert.All(offspring, o => Assert.Equal(expectedSums, o.LevelsPerModuleType.Select(l => l.Sum())));
            parent = offspring[rng.Next(offspring.Count)]; // walk away from the uniform start to reach the grid's edges
        }
    }

    [Fact]
    public void Given_a_grid_too_small_for_16_distinct_children_When_offspring_are_drawn_Then_it_fails_instead_of_looping()
    {
        var tiny = SearchSpace.Parse("""
            { "params": [ { "name": "a", "kind": "layer_ratios", "module": "attention", "levels": { "min": 0.0, "max": 0.1, "step": 0.1 }, "target": 0.0 } ] }
            """).BindLayerCount(2);
        var dimensions = Dimensions(tiny);
        Assert.Throws<OptimizationInputException>(() => BudgetPreservingMutation.Offspring(Genome.AtTarget(dimensions), dimensions, 16, new Random(0)));
    }

    [Fact]
    public void Given_one_generation_through_ask_tell_Then_stages_promote_the_best_on_growing_token_budgets_and_the_parent_reenters_last()
    {
        using var storage = new InMemoryStorage();
        var space = TestData.DarwinSpace(layers: 8);
        var study = TestData.NewStudy(storage, space, new EvolutionarySampler(), seed: 5);
        study.Optimize(trial => TestData.SyntheticLoss(trial.Params) + 1e-3 * (trial.FidelityTokens ?? 0) / 1024.0, 16 + 8 + 4 + 3 + 1);
        var trials = study.Trials;

        Assert.Equal(Enumerable.Repeat(1024L, 16).Concat(Enumerable.Repeat(2048L, 8)).Concat(Enumerable.Repeat(4096L, 4)).Concat(Enumerable.Repeat(8192L, 3)).Append(1024L),
            trials.Select(t => t.FidelityTokens!.Value));

        static IEnumerable<string> TopByValue(IEnumerable<FrozenTrial> stage, int keep) =>
            stage.OrderBy(t => t.Value).ThenBy(t => t.Number).Take(keep).Select(t => ParamSet.Describe(t.Params));
        Assert.Equal(TopByValue(trials.Take(16), 8), trials.Skip(16).Take(8).Select(t => ParamSet.Describe(t.Params)));
        Assert.Equal(TopByValue(trials.Skip(16).Take(8), 4), trials.Skip(24).Take(4).Select(t => ParamSet.Describe(t.Params)));
        Assert.Equal(TopByValue(trials.Skip(24).Take(4), 2), trials.Skip(28).Take(2).Select(t => ParamSet.Describe(t.Params)));

        var parentTrial = trials[30];
        Assert.Equal("parent", parentTrial.UserAttr(UserAttrKeys.EvoCandidate));
        var uniform = Genome.AtTarget(Dimensions(space));
        Assert.Equal(uniform, Genome.FromParams(Dimensions(space), parentTrial.Params));

        // Generation 1 starts from the winner of the last stage, and its children differ from it.
        var winner = Genome.FromParams(Dimensions(space), trials.Skip(28).Take(3).OrderBy(t => t.Value).ThenBy(t => t.Number).First().Params);
        var firstChild = Genome.FromParams(Dimensions(space), trials[31].Params);
        Assert.Equal("1", trials[31].UserAttr(UserAttrKeys.EvoGeneration));
        Assert.NotEqual(winner, firstChild);
        Assert.Equal(winner!.LevelsPerModuleType.Select(l => l.Sum()), firstChild!.LevelsPerModuleType.Select(l => l.Sum()));
    }

    [Fact]
    public void Given_failed_evaluations_When_a_stage_is_selected_Then_they_rank_last()
    {
        using var storage = new InMemoryStorage();
        var study = TestData.NewStudy(storage, TestData.DarwinSpace(), new EvolutionarySampler(), seed: 1);
        // Stage 0: the first 12 children fail; only children 12..15 can be promoted ahead of failures.
        study.Optimize(trial => trial.Number < 12 ? double.NaN : TestData.SyntheticLoss(trial.Params), 17);
        var promoted = study.Trials[16];
        Assert.Contains(ParamSet.Describe(promoted.Params), study.Trials.Skip(12).Take(4).Select(t => ParamSet.Describe(t.Params)));
    }

    [Fact]
    public void Given_enqueued_baselines_When_evolving_Then_they_are_asked_first_and_ignored_by_selection()
    {
        using var storage = new InMemoryStorage();
        var space = SearchSpace.Load(Spaces.SearchSpaceParserTests.ShippedSpacePath("darwin.json")).BindLayerCount(4);
        var study = TestData.NewStudy(storage, space, new EvolutionarySampler(), seed: 2);
        Assert.Equal(3, study.EnqueueBaselines());
        study.Optimize(trial => TestData.SyntheticLoss(trial.Params), 3 + 16 + 1);
        var trials = study.Trials;
        Assert.Equal(["flap-wifv-ul-um-bias", "wanda-sp", "magnitude-sp"], trials.Take(3).Select(t => t.UserAttr(UserAttrKeys.Baseline)));
        Assert.All(trials.Skip(3), t => Assert.NotNull(t.UserAttr(UserAttrKeys.EvoGeneration)));
        Assert.Equal("1", trials[^1].UserAttr(UserAttrKeys.EvoStage));
    }

    [Fact]
    public void Given_a_space_that_searches_more_than_layer_ratios_When_evolving_Then_it_says_to_fix_them()
    {
        using var storage = new InMemoryStorage();
        var study = TestData.NewStudy(storage, TestData.MixedSpace(), new EvolutionarySampler(), seed: 2);
        var error = Assert.Throws<OptimizationInputException>(() => study.Ask());
        Assert.Contains("source, samples, lr, mix", error.Message);
    }
}

using Search.Optimization.Samplers;
using Search.Optimization.Storage;

namespace Search.Optimization.Tests.Samplers;

public sealed class SamplerReproducibilityTests
{
    public static TheoryData<string> SamplerNames => new() { "random", "gp", "evolutionary", "hybrid" };

    private static Optimization.Spaces.SearchSpace SpaceFor(string sampler) => sampler == "evolutionary" ? TestData.DarwinSpace() : TestData.MixedSpace();

    private static List<string> Run(string sampler, int seed, int trials)
    {
        using var storage = new InMemoryStorage();
        var study = TestData.NewStudy(storage, SpaceFor(sampler), Create(sampler), seed);
        study.Optimize(trial => TestData.SyntheticLoss(trial.Params), trials);
        return TestData.Describe(study.Trials);
    }

    private static ISampler Create(string name) => name switch
    {
        "gp" => new GpSampler(new GpSamplerSettings(StartupTrials: 5, RandomCandidates: 128)),
        "hybrid" => new HybridSampler(new HybridSettings(Gp: new GpSamplerSettings(StartupTrials: 5, RandomCandidates: 128))),
        _ => SamplerFactory.Create(name),
    };

    [Theory]
    [MemberData(nameof(SamplerNames))]
    public void Given_two_studies_with_the_same_seed_When_optimized_Then_they_propose_identical_params(string sampler)
    {
        var first = Run(sampler, seed: 11, trials: 14);
        var second = Run(sampler, seed: 11, trials: 14);
        Assert.Equal(first, second);
        Assert.Equal(14, first.Count);
    }

    [Theory]
    [MemberData(nameof(SamplerNames))]
    public void Given_two_studies_with_different_seeds_When_optimized_Then_their_params_differ(string sampler)
    {
        Assert.NotEqual(Run(sampler, seed: 11, trials: 8), Run(sampler, seed: 12, trials: 8));
    }

    [Fact]
    public void Given_an_unknown_sampler_name_When_created_Then_the_error_lists_the_known_ones()
    {
        var error = Assert.Throws<OptimizationInputException>(() => SamplerFactory.Create("tpe"));
        Assert.Equal("unknown sampler 'tpe'; expected one of random, gp, evolutionary, hybrid, levels", error.Message);
    }

    [Fact]
    public void Given_the_gp_sampler_on_a_layer_ratios_space_When_it_proposes_after_startup_Then_every_vector_meets_the_budget()
    {
        using var storage = new InMemoryStorage();
        var space = TestData.MixedSpace(layers: 10);
        var study = TestData.NewStudy(storage, space, new GpSampler(new GpSamplerSettings(StartupTrials: 4, RandomCandidates: 64)), 3);
        study.Optimize(trial => TestData.SyntheticLoss(trial.Params), 10);
        var ratios = (Optimization.Spaces.LayerRatiosDimension)space["attention_ratios"];
        Assert.All(study.Trials, t => Assert.True(ratios.MeetsBudget(ratios.ToLevels(t.Params["attention_ratios"])!)));
        Assert.All(study.Trials, t => Assert.Equal(Trials.ParamValue.Of("al-am"), t.Params["structure"]));
    }
}

using Search.Optimization.Samplers;
using Search.Optimization.Spaces;
using Search.Optimization.Storage;
using Search.Optimization.Trials;
using Xunit.Abstractions;

namespace Search.Optimization.Tests.Samplers;

/// <summary>
/// GP-BO must beat random search at equal budget on the classic test functions: median over 5
/// seeds of the best value after 40 trials (10 random startup trials for the GP).
/// </summary>
public sealed class GpSamplerBenchmarkTests(ITestOutputHelper output)
{
    private const int Budget = 40;
    private static readonly int[] Seeds = [0, 1, 2, 3, 4];

    private static readonly SearchSpace BraninSpace = SearchSpace.Parse("""
        { "name": "branin", "params": [
            { "name": "x1", "kind": "float", "low": -5, "high": 10 },
            { "name": "x2", "kind": "float", "low": 0, "high": 15 } ] }
        """);

    private static readonly SearchSpace HartmannSpace = SearchSpace.Parse($$"""
        { "name": "hartmann6", "params": [ {{string.Join(", ", Enumerable.Range(0, 6).Select(i => $$"""{ "name": "x{{i}}", "kind": "float", "low": 0, "high": 1 }"""))}} ] }
        """);

    private static double Branin(IReadOnlyDictionary<string, ParamValue> p) => BenchmarkFunctions.Branin(p["x1"].AsReal, p["x2"].AsReal);

    private static double Hartmann(IReadOnlyDictionary<string, ParamValue> p) =>
        BenchmarkFunctions.Hartmann6(Enumerable.Range(0, 6).Select(i => p[$"x{i}"].AsReal).ToArray());

    private double MedianBest(SearchSpace space, Func<IReadOnlyDictionary<string, ParamValue>, double> function, Func<ISampler> sampler)
    {
        var bests = Seeds.Select(seed =>
        {
            using var storage = new InMemoryStorage();
            var study = TestData.NewStudy(storage, space, sampler(), seed);
            study.Optimize(trial => function(trial.Params), Budget);
            return study.BestTrial!.Value!.Value;
        }).Order().ToArray();
        output.WriteLine($"{space.Name} {sampler().Name}: best per seed {string.Join(", ", bests.Select(b => b.ToString("F4")))}");
        return bests[bests.Length / 2];
    }

    [Fact]
    public void Given_Branin_and_40_trials_When_gp_and_random_search_compete_Then_gp_has_the_lower_median_best()
    {
        var gp = MedianBest(BraninSpace, Branin, () => new GpSampler());
        var random = MedianBest(BraninSpace, Branin, () => new RandomSampler());
        Assert.True(gp < random, $"gp median best {gp:F4} vs random {random:F4}");
        Assert.True(gp < 0.6, $"gp median best {gp:F4} should approach the minimum 0.398");
    }

    [Fact]
    public void Given_Hartmann6_and_40_trials_When_gp_and_random_search_compete_Then_gp_has_the_lower_median_best()
    {
        var gp = MedianBest(HartmannSpace, Hartmann, () => new GpSampler());
        var random = MedianBest(HartmannSpace, Hartmann, () => new RandomSampler());
        Assert.True(gp < random, $"gp median best {gp:F4} vs random {random:F4}");
        Assert.True(gp < -2.5, $"gp median best {gp:F4} should approach the minimum -3.322");
    }
}

using System.Globalization;
using Search.Optimization.Samplers;
using Search.Optimization.Spaces;
using Search.Optimization.Storage;
using Search.Optimization.Trials;
using Xunit.Abstractions;

namespace Search.Optimization.Tests.Samplers;

/// <summary>
/// Issue 11's warm-start trap, in miniature: eight hand-set baselines all sit in one categorical
/// branch ("bias"), tuned near that branch's optimum (1.0); the optimum (0.3) is in another branch
/// ("ls") whose basin is narrow, so random points there score far worse than the baselines. A
/// search is robust to its warm start when its best trial beats every bias config (value &lt; 1).
/// </summary>
public sealed class GpWarmStartTests(ITestOutputHelper output)
{
    private const int Dimensions = 4;
    private const int Baselines = 8;
    private const int Budget = Baselines + 32;
    private static readonly int[] Seeds = [.. Enumerable.Range(0, 10)];

    private static readonly SearchSpace Space = SearchSpace.Parse($$"""
        { "name": "warm-start", "params": [
            { "name": "compensation", "kind": "categorical", "choices": ["bias", "none", "ls"] },
            {{string.Join(", ", Enumerable.Range(0, Dimensions).Select(i => $$"""{ "name": "x{{i}}", "kind": "float", "low": 0, "high": 1 }"""))}} ] }
        """);

    /// <summary>bias: 1 + 2‖x − 0.3‖²; none: 1.5 + 2‖x − 0.5‖²; ls: 0.3 + 12‖x − 0.75‖² (mean ≈ 7.3 at random x).</summary>
    internal static double Objective(IReadOnlyDictionary<string, ParamValue> p)
    {
        var (offset, center, curvature) = p["compensation"].AsText switch
        {
            "bias" => (1.0, 0.3, 2.0),
            "none" => (1.5, 0.5, 2.0),
            _ => (0.3, 0.75, 12.0),
        };
        var sum = 0.0;
        for (var i = 0; i < Dimensions; i++) sum += Math.Pow(p[$"x{i}"].AsReal - center, 2);
        return offset + curvature * sum;
    }

    /// <summary>Hand-set configs in the bias branch, within ±0.1 of its optimum (values 1.00–1.06).</summary>
    internal static IEnumerable<(string Tag, IReadOnlyDictionary<string, ParamValue> Params)> BiasBaselines() =>
        Enumerable.Range(0, Baselines).Select(k => ($"hand-set-{k}", ParamSet.Freeze(
            new[] { KeyValuePair.Create("compensation", ParamValue.Of("bias")) }.Concat(Enumerable.Range(0, Dimensions).Select(i =>
                KeyValuePair.Create($"x{i}", ParamValue.Of(0.3 + 0.1 * Math.Sin(1.7 * k + 2.3 * i))))))));

    private (int Reached, double[] Bests) Run(GpSamplerSettings settings, string label, int[]? seeds = null)
    {
        seeds ??= Seeds;
        var bests = seeds.AsParallel().AsOrdered().WithDegreeOfParallelism(2).Select(seed =>
        {
            using var storage = new InMemoryStorage();
            var study = TestData.NewStudy(storage, Space, new GpSampler(settings), seed);
            foreach (var (tag, parameters) in BiasBaselines()) study.Enqueue(parameters, tag);
            study.Optimize(trial => Objective(trial.Params), Budget);
            return study.BestTrial!.Value!.Value;
        }).ToArray();
        var reached = bests.Count(b => b < 1.0);
        output.WriteLine($"{label}: reached the good branch in {reached}/{seeds.Length} seeds; best per seed " +
                         string.Join(", ", bests.Select(b => b.ToString("F3", CultureInfo.InvariantCulture))));
        return (reached, bests);
    }

    [Fact]
    public void Given_eight_baselines_in_a_bad_branch_When_the_gp_searches_Then_it_reaches_the_good_branch_where_the_old_gp_stays_trapped()
    {
        var robust = Run(new GpSamplerSettings(), "gp (warm-start robust)");
        var old = Run(GpSamplerSettings.WarmStartSensitive, "gp (old: baselines count as start-up)");
        Assert.True(robust.Reached >= 7, $"robust gp reached the good branch in {robust.Reached}/{Seeds.Length} seeds");
        Assert.True(old.Reached <= 2, $"old gp reached it in {old.Reached}/{Seeds.Length} seeds; the test would not show the trap");
    }

    /// <summary>What each ingredient is worth, on 20 seeds (about 10 minutes on two cores); numbers in src/Search.Optimization/README.md.</summary>
    [Fact(Skip = "ablation, run by hand: remove Skip")]
    public void Ablation()
    {
        var seeds = Enumerable.Range(0, 20).ToArray();
        Run(new GpSamplerSettings(), "robust (default)", seeds);
        Run(GpSamplerSettings.WarmStartSensitive, "old", seeds);
        Run(new GpSamplerSettings(LocalExplorationModel: false), "no local model", seeds);
        Run(new GpSamplerSettings(BranchExplorationEvery: 2), "every 2", seeds);
        Run(new GpSamplerSettings(BranchExplorationEvery: 4), "every 4", seeds);
        Run(new GpSamplerSettings(WarpOutputs: true), "log warp", seeds);
        Run(new GpSamplerSettings(TrustRegion: 0), "no trust region", seeds);
        Run(new GpSamplerSettings(BranchExplorationEvery: 0), "no branch exploration", seeds);
        Run(new GpSamplerSettings(StratifiedStartup: false), "random start-up", seeds);
        Run(new GpSamplerSettings(CountBaselinesAsStartup: true), "baselines count as start-up, rest new", seeds);
    }
}

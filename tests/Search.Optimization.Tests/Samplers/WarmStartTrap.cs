using System.Globalization;
using Search.Optimization.Samplers;
using Search.Optimization.Spaces;
using Search.Optimization.Storage;
using Search.Optimization.Trials;

namespace Search.Optimization.Tests.Samplers;

/// <summary>
/// Issue 11's warm-start trap, in miniature: eight hand-set baselines all sit in one categorical
/// branch ("bias"), tuned near that branch's optimum (1.0); the optimum (0.3) is in another branch
/// ("ls") whose basin is narrow, so random points there score far worse than the baselines. A
/// search is robust to its warm start when its best trial beats every bias config (value &lt; 1).
/// Shared by <see cref="GpWarmStartTests"/> and the ablation in experiments/Search.SamplerBench.
/// </summary>
internal static class WarmStartTrap
{
    private const int Dimensions = 4;
    private const int Baselines = 8;
    private const int Budget = Baselines + 32;

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

    /// <summary>The best value a GP with <paramref name="settings"/> finds per seed (two seeds at a time), and how many beat every bias config.</summary>
    internal static (int Reached, double[] Bests, string Line) Run(GpSamplerSettings settings, string label, int[] seeds)
    {
        var bests = seeds.AsParallel().AsOrdered().WithDegreeOfParallelism(2).Select(seed =>
        {
            using var storage = new InMemoryStorage();
            var study = TestData.NewStudy(storage, Space, new GpSampler(settings), seed);
            foreach (var (tag, parameters) in BiasBaselines()) study.Enqueue(parameters, tag);
            study.Optimize(trial => Objective(trial.Params), Budget);
            return study.BestTrial!.Value!.Value;
        }).ToArray();
        var reached = bests.Count(b => b < 1.0);
        return (reached, bests, $"{label}: reached the good branch in {reached}/{seeds.Length} seeds; best per seed " +
                                string.Join(", ", bests.Select(b => b.ToString("F3", CultureInfo.InvariantCulture))));
    }
}

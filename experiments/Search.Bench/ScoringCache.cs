using System.Diagnostics;
using Search.Model;
using Search.Model.Shapes;
using Search.Pruning.Allocation;
using Search.Pruning.Metrics;
using Search.Pruning.Pipeline;
using Search.Pruning.Statistics;
using Search.Pruning.Surgery;
using static TorchSharp.torch;

namespace Search.Bench;

/// <summary>
/// A trial's scoring + allocation time without and with the unit score cache (issue 18): "uncached"
/// scores every mixture component from the weight tensors as every trial did before the cache;
/// "cached" looks the components up (the same statistics: another mixture and allocation of the same
/// pool rung); "new rung" is a trial on statistics not seen yet (the weights' column reductions are
/// cached, the z-scores are not). Random weights of a real shape, cut to a few layers.
/// </summary>
public static class ScoringCache
{
    public static void Run(string shape, int layers, int trials)
    {
        var config = ModelShapes.Find(shape).Config(layers);
        using var model = RandomTransformer.Create(config, seed: 0);
        const int windows = 4, seqLen = 64;
        var rng = new Random(0);
        ChannelStats Stats(int seed)
        {
            var r = new Random(seed);
            var ids = new long[windows * seqLen];
            for (int i = 0; i < ids.Length; i++) ids[i] = r.Next(config.VocabSize);
            return CalibrationStatistics.Collect(model, ids, windows, seqLen, windows).AggregateAll();
        }
        var stats = Stats(1);
        PruningRecipe Recipe()
        {
            var mixture = MetricMixture.Create([new("wifv", rng.NextDouble()), new("wanda-sp", rng.NextDouble()), new("magnitude-sp", rng.NextDouble())]);
            return new PruningRecipe(mixture, AllocationSpec.ForStructure(PruningStructure.AdaptiveLayersAdaptiveModules, 0.1 + 0.3 * rng.NextDouble()),
                Compensation.FlapBias);
        }
        double Time(Action a)
        {
            var sw = Stopwatch.StartNew();
            a();
            return sw.Elapsed.TotalMilliseconds;
        }
        var cache = new UnitScoreCache(model);
        PrunePipeline.Plan(model, stats, Recipe(), cache); // warm-up, fills the cache for `stats`
        var uncachedScore = new List<double>();
        var cachedScore = new List<double>();
        var uncachedPlan = new List<double>();
        var cachedPlan = new List<double>();
        var newRung = new List<double>();
        for (int t = 0; t < trials; t++)
        {
            var recipe = Recipe();
            uncachedScore.Add(Time(() => recipe.Mixture.Score(model, stats)));
            cachedScore.Add(Time(() => recipe.Mixture.Score(model, stats, cache)));
            uncachedPlan.Add(Time(() => PrunePipeline.Plan(model, stats, recipe)));
            cachedPlan.Add(Time(() => PrunePipeline.Plan(model, stats, recipe, cache)));
            var other = Stats(100 + t);
            newRung.Add(Time(() => recipe.Mixture.Score(model, other, cache)));
        }
        Console.WriteLine($"# scoring per trial, {shape} shape cut to {layers} layers ({model.ParameterCount():N0} params, random weights, float32), " +
                          $"mixture wifv+wanda-sp+magnitude-sp, AL-AM; {get_num_threads()} threads; load avg {Load()}; median of {trials} trials (ms)");
        Console.WriteLine("| | uncached (before) | cached | cached, new rung |");
        Console.WriteLine("|---|---:|---:|---:|");
        Console.WriteLine($"| unit scores | {Median(uncachedScore):F1} | {Median(cachedScore):F2} | {Median(newRung):F1} |");
        Console.WriteLine($"| scores + allocation (Plan) | {Median(uncachedPlan):F1} | {Median(cachedPlan):F1} | |");
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    private static string Load()
    {
        try { return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "n/a"; }
    }
}

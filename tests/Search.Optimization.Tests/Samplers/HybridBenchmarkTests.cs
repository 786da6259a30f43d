using System.Diagnostics;
using System.Globalization;
using Search.Optimization.Samplers;
using Search.Optimization.Storage;
using Search.Optimization.Tests.Storage;
using Xunit.Abstractions;

namespace Search.Optimization.Tests.Samplers;

/// <summary>
/// The hybrid sampler against the plain GP and random search at equal trials on
/// <see cref="AllocationBenchmark"/> (44 and 160 per-layer dimensions plus the context), with the
/// three hand-set baselines enqueued for every sampler; the measure is the noise-free value of the
/// trial each search reports (its best at the top fidelity), median over seeds. The plain GP over
/// 170 encoded dimensions takes minutes per proposal batch, so its comparison is a measurement
/// (PRUNESEARCH_BENCH=1); the suite checks the hybrid against random search.
/// </summary>
public sealed class HybridBenchmarkTests(ITestOutputHelper output)
{
    internal static double RunStudy(AllocationBenchmark benchmark, ISampler sampler, int trials, int seed)
    {
        using var storage = new InMemoryStorage();
        var study = TestData.NewStudy(storage, benchmark.Space, sampler, seed);
        foreach (var (tag, parameters) in benchmark.Baselines()) study.Enqueue(parameters, tag);
        study.Optimize(benchmark.Evaluate, trials);
        return benchmark.Reported(study.Trials);
    }

    private double Median(string label, AllocationBenchmark benchmark, Func<ISampler> sampler, int trials, int[] seeds)
    {
        var watch = Stopwatch.StartNew();
        var results = seeds.AsParallel().AsOrdered().WithDegreeOfParallelism(2).Select(seed => RunStudy(benchmark, sampler(), trials, seed)).ToArray();
        var sorted = results.Order().ToArray();
        var median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        var line = $"{benchmark.Layers * 2} dims, {trials} trials, {label}: median {median:F3}; per seed " +
                   string.Join(", ", results.Select(r => r.ToString("F3", CultureInfo.InvariantCulture))) + $" ({watch.Elapsed.TotalSeconds:F0} s)";
        output.WriteLine(line);
        if (Environment.GetEnvironmentVariable("HYBRID_BENCH_LOG") is { } log) File.AppendAllText(log, line + Environment.NewLine);
        return median;
    }

    [Theory]
    [InlineData(22, 150)]
    [InlineData(80, 200)]
    public void Given_44_or_160_per_layer_dims_When_hybrid_and_random_search_run_equal_trials_Then_the_hybrid_reports_a_better_config(int layers, int trials)
    {
        var benchmark = new AllocationBenchmark(layers);
        int[] seeds = [0, 1, 2, 3, 4];
        var hybrid = Median("hybrid", benchmark, () => new HybridSampler(), trials, seeds);
        var random = Median("random", benchmark, () => new RandomSampler(), trials, seeds);
        Assert.True(hybrid < random - 0.03, $"hybrid median {hybrid:F3} vs random {random:F3}");
        // Below FLAP's allocation with the best context: the evolution, not only the context search, paid off.
        Assert.True(hybrid < 0.25, $"hybrid median {hybrid:F3}");
    }

    /// <summary>The numbers in src/Search.Optimization/README.md (about an hour on two cores, nearly all of it the plain GP at 160 dims).</summary>
    [BenchmarkFact]
    public void Given_44_and_160_per_layer_dims_When_hybrid_gp_and_random_run_equal_trials_Then_the_hybrid_has_the_lowest_median()
    {
        int[] seeds = [0, 1, 2, 3];
        foreach (var (layers, trials) in new[] { (22, 150), (80, 200) })
        {
            var benchmark = new AllocationBenchmark(layers);
            var hybrid = Median("hybrid", benchmark, () => new HybridSampler(), trials, seeds);
            var random = Median("random", benchmark, () => new RandomSampler(), trials, seeds);
            var gp = Median("gp", benchmark, () => new GpSampler(), trials, seeds);
            Assert.True(hybrid < gp && hybrid < random, $"{layers * 2} dims: hybrid {hybrid:F3}, gp {gp:F3}, random {random:F3}");
        }
    }

    /// <summary>"offspring=8;keep=2 1;moves=5;recombine=false;patience=2;gp=3;factors=2 1".</summary>
    private static HybridSettings Variant(string spec)
    {
        var settings = new HybridSettings();
        foreach (var part in spec.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = (part.Split('=')[0], part.Split('=')[1]);
            settings = key switch
            {
                "offspring" => settings with { Offspring = int.Parse(value) },
                "keep" => settings with { StageKeep = value.Split(' ').Select(int.Parse).ToArray() },
                "tokens" => settings with { StageTokens = value.Split(' ').Select(long.Parse).ToArray() },
                "moves" => settings with { MaxMoves = int.Parse(value) },
                "recombine" => settings with { Recombine = bool.Parse(value) },
                "patience" => settings with { Patience = int.Parse(value) },
                "gp" => settings with { GpTrialsPerGeneration = int.Parse(value) },
                "factors" => settings with { LevelFactors = value.Split(' ').Select(int.Parse).ToArray() },
                _ => throw new ArgumentException(key),
            };
        }
        return settings;
    }

    /// <summary>One configuration from HYBRID_BENCH ("layers,trials,sampler[:variant],seed seed …"), appended to HYBRID_BENCH_LOG.</summary>
    [BenchmarkFact]
    public void Explore()
    {
        var spec = Environment.GetEnvironmentVariable("HYBRID_BENCH") ?? "22,150,hybrid,0";
        var parts = spec.Split(',');
        if (parts.Length > 4) parts = [parts[0], parts[1], string.Join(",", parts[2..^1]), parts[^1]];
        var benchmark = new AllocationBenchmark(int.Parse(parts[0]));
        var trials = int.Parse(parts[1]);
        var seeds = parts[3].Split(' ').Select(int.Parse).ToArray();
        Func<ISampler> sampler = parts[2] switch
        {
            "hybrid" => () => new HybridSampler(),
            var h when h.StartsWith("hybrid:") => () => new HybridSampler(Variant(h[7..])),
            "random" => () => new RandomSampler(),
            "gp" => () => new GpSampler(),
            "gp-light" => () => new GpSampler(new GpSamplerSettings(FitRestarts: 1, FitIterations: 30)),
            _ => throw new ArgumentException(parts[2]),
        };
        var line = $"best baseline {benchmark.Baselines().Min(b => benchmark.TrueValue(b.Params)):F3}, uniform allocation cost {benchmark.UniformAllocationValue:F3}";
        if (Environment.GetEnvironmentVariable("HYBRID_BENCH_LOG") is { } log) File.AppendAllText(log, line + Environment.NewLine);
        Median(parts[2], benchmark, sampler, trials, seeds);
    }
}

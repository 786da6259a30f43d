using System.Diagnostics;
using System.Globalization;
using Search.Optimization.Samplers;
using Search.Optimization.Storage;
using Xunit.Abstractions;

namespace Search.Optimization.Tests.Samplers;

/// <summary>
/// The hybrid sampler against the plain GP and random search at equal trials on
/// <see cref="AllocationBenchmark"/> (44 and 160 per-layer dimensions plus the context), with the
/// three hand-set baselines enqueued for every sampler.
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

    [Fact]
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

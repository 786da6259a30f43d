using System.Diagnostics;
using System.Globalization;
using Search.Optimization.Samplers;
using Search.Optimization.Tests.Samplers;

namespace Search.SamplerBench;

/// <summary>
/// <c>dotnet run --project experiments/Search.SamplerBench -c Release -- hybrid "LAYERS,TRIALS,SAMPLER[:VARIANT],SEED SEED …"</c>:
/// one configuration on <see cref="AllocationBenchmark"/> (median over seeds of the noise-free value of
/// the reported trial), e.g. <c>hybrid "22,150,gp,0 1 2 3 4"</c> or
/// <c>hybrid "22,150,hybrid:offspring=8;keep=2 1,0 1 2"</c>.
/// <c>... -- warm-start-ablation</c>: what each GP ingredient is worth on <see cref="WarmStartTrap"/>,
/// 20 seeds (about 10 minutes on two cores). Numbers: src/Search.Optimization/README.md.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "hybrid":
                Hybrid(args.Length > 1 ? args[1] : "22,150,hybrid,0");
                return 0;
            case "warm-start-ablation":
                WarmStartAblation();
                return 0;
            default:
                Console.Error.WriteLine("usage: Search.SamplerBench hybrid \"LAYERS,TRIALS,SAMPLER[:VARIANT],SEEDS\" | warm-start-ablation");
                return 2;
        }
    }

    private static void Hybrid(string spec)
    {
        var parts = spec.Split(',');
        if (parts.Length > 4) parts = [parts[0], parts[1], string.Join(",", parts[2..^1]), parts[^1]];
        var benchmark = new AllocationBenchmark(int.Parse(parts[0], CultureInfo.InvariantCulture));
        int trials = int.Parse(parts[1], CultureInfo.InvariantCulture);
        var seeds = parts[3].Split(' ').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        Func<ISampler> sampler = parts[2] switch
        {
            "hybrid" => () => new HybridSampler(),
            var h when h.StartsWith("hybrid:", StringComparison.Ordinal) => () => new HybridSampler(Variant(h[7..])),
            "random" => () => new RandomSampler(),
            "gp" => () => new GpSampler(),
            "gp-light" => () => new GpSampler(new GpSamplerSettings(FitRestarts: 1, FitIterations: 30)),
            _ => throw new ArgumentException($"unknown sampler '{parts[2]}'"),
        };
        Console.WriteLine($"best baseline {benchmark.Baselines().Min(b => benchmark.TrueValue(b.Params)):F3}, " +
                          $"uniform allocation cost {benchmark.UniformAllocationValue:F3}");
        var watch = Stopwatch.StartNew();
        var results = seeds.AsParallel().AsOrdered().WithDegreeOfParallelism(2).Select(seed => benchmark.Search(sampler(), trials, seed)).ToArray();
        var sorted = results.Order().ToArray();
        var median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        Console.WriteLine($"{benchmark.Layers * 2} dims, {trials} trials, {parts[2]}: median {median:F3}; per seed " +
                          string.Join(", ", results.Select(r => r.ToString("F3", CultureInfo.InvariantCulture))) + $" ({watch.Elapsed.TotalSeconds:F0} s)");
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
                "offspring" => settings with { Offspring = int.Parse(value, CultureInfo.InvariantCulture) },
                "keep" => settings with { StageKeep = value.Split(' ').Select(int.Parse).ToArray() },
                "tokens" => settings with { StageTokens = value.Split(' ').Select(long.Parse).ToArray() },
                "moves" => settings with { MaxMoves = int.Parse(value, CultureInfo.InvariantCulture) },
                "recombine" => settings with { Recombine = bool.Parse(value) },
                "patience" => settings with { Patience = int.Parse(value, CultureInfo.InvariantCulture) },
                "gp" => settings with { GpTrialsPerGeneration = int.Parse(value, CultureInfo.InvariantCulture) },
                "factors" => settings with { LevelFactors = value.Split(' ').Select(int.Parse).ToArray() },
                _ => throw new ArgumentException($"unknown hybrid setting '{key}'"),
            };
        }
        return settings;
    }

    private static void WarmStartAblation()
    {
        var seeds = Enumerable.Range(0, 20).ToArray();
        foreach (var (settings, label) in new[]
                 {
                     (new GpSamplerSettings(), "robust (default)"),
                     (GpSamplerSettings.WarmStartSensitive, "old"),
                     (new GpSamplerSettings(LocalExplorationModel: false), "no local model"),
                     (new GpSamplerSettings(BranchExplorationEvery: 2), "every 2"),
                     (new GpSamplerSettings(BranchExplorationEvery: 4), "every 4"),
                     (new GpSamplerSettings(WarpOutputs: true), "log warp"),
                     (new GpSamplerSettings(TrustRegion: 0), "no trust region"),
                     (new GpSamplerSettings(BranchExplorationEvery: 0), "no branch exploration"),
                     (new GpSamplerSettings(StratifiedStartup: false), "random start-up"),
                     (new GpSamplerSettings(CountBaselinesAsStartup: true), "baselines count as start-up, rest new"),
                 })
            Console.WriteLine(WarmStartTrap.Run(settings, label, seeds).Line);
    }
}

using Search.Model.Shapes;
using System.Diagnostics;
using Search.Model;
using Search.Model.Checkpoints;
using Search.Data.Evaluation;
using Search.Pruning.Allocation;
using Search.Pruning.Metrics;
using Search.Pruning.Pipeline;
using Search.Pruning.Statistics;
using Search.Pruning.Surgery;
using static TorchSharp.torch;

namespace Search.Bench;

/// <summary>
/// Where one search trial's time goes: statistics collection (a one-off per calibration pool), scoring
/// + allocation (WIFV, AL-AM 20%), surgery, and the pruned model's evaluation. The per-trial overhead
/// target is (scoring + allocation + surgery) / eval &lt; 5%. Random token windows: speed does not need
/// trained weights or real text.
/// </summary>
public static class TrialTimeSplit
{
    private const int Repeats = 3;

    public static void Run(string? shared, int windows, int seqLen)
    {
        Console.WriteLine($"# per-trial time split: stats {windows}x{seqLen}, WIFV AL-AM 20% + FLAP bias, eval {windows}x{seqLen}; " +
                          $"{get_num_threads()} threads, {Environment.ProcessorCount} cores; load avg before: {LoadAverage()}");
        Console.WriteLine("| model | params | stats s | score+alloc ms | surgery ms | eval s | (score+alloc+surgery)/eval |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        if (shared is not null)
            using (var m = Checkpoint.Load(Path.Combine(shared, "models", "stories260K")))
                Measure("stories260K (real)", m, windows, seqLen);
        foreach (var (name, cfg) in new[] { ("stories15M shape (random)", ModelShapes.Find("stories15m").Config()), ("stories110M shape (random)", ModelShapes.Find("stories110m").Config()) })
            using (var m = RandomTransformer.Create(cfg, seed: 0))
                Measure(name, m, windows, seqLen);
        Console.WriteLine($"\nload avg after: {LoadAverage()}; score+alloc and surgery are the median of {Repeats} runs after one warm-up; " +
                          "stats and eval are single runs after a one-batch warm-up.");
    }

    private static void Measure(string name, Transformer m, int windows, int seqLen)
    {
        var rng = new Random(0);
        var ids = new long[windows * seqLen];
        for (int i = 0; i < ids.Length; i++) ids[i] = rng.Next(m.Config.VocabSize);
        int evalBatch = PerplexityEvaluator.AutoBatchSize(seqLen, m.Config.VocabSize);
        const int statsBatch = 16;

        // Warm-up: one small batch through every stage (JIT, rope tables, allocator paths).
        var warmStats = CalibrationStatistics.Collect(m, ids[..(seqLen * 2)], 2, seqLen, statsBatch).AggregateAll();
        using (var warm = Prune(m, warmStats, out _))
            PerplexityEvaluator.NllSum(warm, ids[..(seqLen * 2)], 2, seqLen, evalBatch);

        var sw = Stopwatch.StartNew();
        var stats = CalibrationStatistics.Collect(m, ids, windows, seqLen, statsBatch).AggregateAll();
        double statsS = sw.Elapsed.TotalSeconds;

        var scoreMs = new List<double>();
        var surgeryMs = new List<double>();
        Transformer? pruned = null;
        for (int r = 0; r < Repeats + 1; r++)
        {
            pruned?.Dispose();
            sw.Restart();
            var plan = PrunePipeline.Plan(m, stats, Recipe);
            double s1 = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            pruned = PrunePipeline.Prune(m, plan, stats, Recipe);
            double s2 = sw.Elapsed.TotalMilliseconds;
            if (r > 0) { scoreMs.Add(s1); surgeryMs.Add(s2); }
        }
        sw.Restart();
        PerplexityEvaluator.NllSum(pruned!, ids, windows, seqLen, evalBatch);
        double evalS = sw.Elapsed.TotalSeconds;
        pruned!.Dispose();

        double score = Median(scoreMs), surgery = Median(surgeryMs);
        double ratio = (score + surgery) / 1000 / evalS;
        Console.WriteLine($"| {name} | {m.ParameterCount():N0} | {statsS:F2} | {score:F1} | {surgery:F1} | {evalS:F2} | {ratio:P2} |");
    }

    /// <summary>FLAP's default: WIFV, AL-AM at 20%, bias compensation.</summary>
    private static readonly PruningRecipe Recipe = new(MetricMixture.Single(ImportanceMetric.Wifv),
        AllocationSpec.ForStructure(PruningStructure.AdaptiveLayersAdaptiveModules, 0.2), Compensation.FlapBias);

    private static Transformer Prune(Transformer m, ChannelStats stats, out PruningPlan plan)
    {
        plan = PrunePipeline.Plan(m, stats, Recipe);
        return PrunePipeline.Prune(m, plan, stats, Recipe);
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    private static string LoadAverage()
    {
        try { return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "n/a"; }
    }
}

using System.Diagnostics;
using Search.Data;
using Search.Data.Evaluation;
using Search.Model.Checkpoints;
using Search.Model.Tokenizers;
using Search.Pruning.Allocation;
using Search.Pruning.Levels;
using Search.Pruning.Metrics;
using Search.Pruning.Statistics;
using Search.Pruning.Surgery;
using static TorchSharp.torch;

namespace Search.Bench;

/// <summary>
/// Where a level-search candidate's time goes on stories260K (docs/methods.md §6b): the plan (allocator),
/// the assembly from the database (index selection + cached least-squares refits) and the KL/ppl forward on
/// a stage's tokens, for random allocations around FLAP IFV AL-AM's at 20%. Real text (TinyStories valid),
/// since the refit cache's hit rate depends on which kept sets recur.
/// </summary>
public static class LevelThroughput
{
    public static void Run(string? sharedDir, int candidates, int seqLen)
    {
        if (sharedDir is null) { Console.Error.WriteLine("levels: needs ../shared (stories260K, tinystories)"); return; }
        string modelDir = Path.Combine(sharedDir, "models", "stories260K");
        using var dense = Checkpoint.Load(modelDir);
        var tokenizer = TokenizerLoader.Load(modelDir);
        var ids = tokenizer.Encode(CorpusText.ReadVerbatim(Path.Combine(sharedDir, "data", "tinystories", "valid.txt"))).Select(i => (long)i).ToArray();
        int windows = 64;
        var calib = ids[..(128 * seqLen)];
        var eval = ids[(128 * seqLen)..((128 + windows) * seqLen)];
        Console.WriteLine($"# level candidates on stories260K: {candidates} per stage, seqlen {seqLen}, {get_num_threads()} threads, " +
                          $"{Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at start");
        var stats = CalibrationStatistics.Collect(dense, calib, 128, seqLen, 16).AggregateAll();
        var scores = MetricMixture.Single(ImportanceMetric.Ifv).Score(dense, stats);
        var sw = Stopwatch.StartNew();
        using var db = new LevelDatabase(dense, scores, stats, Compensation.LeastSquares, AttentionUnit.KvGroup, new Search.Model.TokenWindows(calib, 128, seqLen));
        Console.WriteLine($"database (dense Grams over 128x{seqLen}): {sw.Elapsed.TotalSeconds:F2} s, {db.Bytes >> 20} MiB");
        using var teacher = TeacherDistribution.Of(dense, eval, windows, seqLen);
        var rng = new Random(0);
        int layers = dense.Layers.Count;
        foreach (int w in new[] { 4, 16, 64 })
        {
            double plan = 0, assemble = 0, forward = 0;
            for (int c = 0; c < candidates; c++)
            {
                var ratios = new LayerRatios(
                    Enumerable.Range(0, layers).Select(_ => rng.Next(3) * 0.25).ToArray(),
                    Enumerable.Range(0, layers).Select(_ => 0.1 + 0.2 * rng.NextDouble()).ToArray());
                using var scope = NewDisposeScope();
                sw.Restart();
                var p = db.Plan(ratios, 0.2);
                plan += sw.Elapsed.TotalSeconds;
                sw.Restart();
                using var model = db.Assemble(p);
                assemble += sw.Elapsed.TotalSeconds;
                sw.Restart();
                PerplexityEvaluator.Scores(model, eval[..(w * seqLen)], w, seqLen, teacher);
                forward += sw.Elapsed.TotalSeconds;
            }
            double total = plan + assemble + forward;
            Console.WriteLine($"{w * seqLen} tokens: {candidates / total:F1} candidates/s; per candidate plan {1e3 * plan / candidates:F1} ms, " +
                              $"assemble {1e3 * assemble / candidates:F1} ms, forward+KL {1e3 * forward / candidates:F1} ms " +
                              $"({w * seqLen * candidates / forward:F0} tokens/s in the forward); refits solved {db.RefitsSolved}, reused {db.RefitsReused}");
        }
    }
}

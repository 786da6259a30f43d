using Search.Model.Shapes;
using System.Diagnostics;
using Search.Model;
using Search.Model.Checkpoints;
using Search.Data.Evaluation;
using static TorchSharp.torch;

namespace Search.Bench;

/// <summary>Dense evaluation throughput (tokens/s through PerplexityEvaluator) for several shapes.</summary>
public static class EvalThroughput
{
    public static void Run(string? sharedDir, int windows, int seqLen)
    {
        Console.WriteLine($"# dense eval throughput: {windows} windows x {seqLen} tokens, {get_num_threads()} threads, " +
                          $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
        Console.WriteLine("| model | params | batch | tokens/s | seconds |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        if (sharedDir is not null)
            using (var m = Checkpoint.Load(Path.Combine(sharedDir, "models", "stories260K")))
                Measure("stories260K (real)", m, windows, seqLen);
        foreach (var (name, cfg) in new[] { ("stories15M shape (random)", ModelShapes.Find("stories15m").Config()), ("stories110M shape (random)", ModelShapes.Find("stories110m").Config()) })
            using (var m = RandomTransformer.Create(cfg, seed: 0))
                Measure(name, m, windows, seqLen);
    }

    private static void Measure(string name, Transformer m, int windows, int seqLen)
    {
        var rng = new Random(0);
        var ids = new long[windows * seqLen];
        for (int i = 0; i < ids.Length; i++) ids[i] = rng.Next(m.Config.VocabSize);
        int batch = PerplexityEvaluator.AutoBatchSize(seqLen, m.Config.VocabSize);
        PerplexityEvaluator.NllSum(m, ids[..(Math.Min(batch, windows) * seqLen)], Math.Min(batch, windows), seqLen, batch); // warm-up
        var sw = Stopwatch.StartNew();
        PerplexityEvaluator.NllSum(m, ids, windows, seqLen, batch);
        double s = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"| {name} | {m.ParameterCount():N0} | {batch} | {windows * (double)seqLen / s:F0} | {s:F2} |");
    }
}

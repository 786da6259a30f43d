using System.Diagnostics;
using Search.Data;
using Search.Data.Evaluation;
using Search.Data.Tasks;
using Search.Model.Checkpoints;
using Search.Model.Tokenizers;
using static TorchSharp.torch;

namespace Search.Bench;

/// <summary>
/// Multiple-choice scoring speed and memory on stories260K: story_next items (TinyStories valid,
/// second half) with a given number of choices, scored by <see cref="TaskEvaluator"/> after a
/// warm-up; RSS is read after a small run and after the full run, so a growth with items shows.
/// </summary>
public static class TaskThroughput
{
    public static void Run(string? sharedDir, int items, int choices)
    {
        if (sharedDir is null) { Console.Error.WriteLine("tasks: needs ../shared (stories260K, tinystories)"); return; }
        using var model = Checkpoint.Load(Path.Combine(sharedDir, "models", "stories260K"));
        var tokenizer = TokenizerLoader.Load(Path.Combine(sharedDir, "models", "stories260K"));
        var text = CorpusText.ReadVerbatim(Path.Combine(sharedDir, "data", "tinystories", "valid.txt"));
        var all = StoryNextTask.Build(text, items, choices);
        Console.WriteLine($"# task scoring: {items} story_next items x {choices} choices on stories260K, {get_num_threads()} threads, " +
                          $"{Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at start");
        TaskEvaluator.ChoiceLoglikelihoods(model, tokenizer, all.Take(50).ToList(), bos: true);       // warm-up
        long rssSmall = Measure(model, tokenizer, all.Take(items / 10).ToList(), "10%");
        long rssFull = Measure(model, tokenizer, all, "100%");
        Console.WriteLine($"RSS after {items / 10} items {rssSmall >> 20} MiB, after {items} items {rssFull >> 20} MiB; " +
                          $"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at end");
    }

    private static long Measure(Search.Model.Transformer model, ITextTokenizer tokenizer, IReadOnlyList<ChoiceItem> items, string label)
    {
        var requests = items.SelectMany(i => i.Requests).Select(r => TaskEncoding.EncodePair(tokenizer, r.Context, r.Continuation, true))
            .Select(p => new TokenRequest(p.Context, p.Continuation)).ToList();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var lls = LoglikelihoodEvaluator.Score(model, requests, out var stats);
        double s = sw.Elapsed.TotalSeconds;
        double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        var perItem = new List<double[]>();
        int k = 0;
        foreach (var item in items) { perItem.Add(Enumerable.Range(0, item.Requests.Count).Select(_ => lls[k++].Value).ToArray()); }
        double acc = TaskMetrics.ItemScores(items, perItem, TaskMetricNames.Acc).Average();
        Console.WriteLine($"{label}: {items.Count} items, {stats.Requests} requests, {stats.Rows} rows, {stats.Buckets} buckets, " +
                          $"{stats.RealTokens:N0} tokens ({stats.PaddedTokens:N0} padded), {s:F2} s wall, {cpuSeconds:F2} s CPU, " +
                          $"{stats.PaddedTokens / s:F0} tokens/s, acc {acc:F3}");
        GC.Collect();
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return 0;
    }
}

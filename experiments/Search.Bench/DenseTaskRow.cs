using Search.Data;
using Search.Data.Evaluation;
using Search.Data.Tasks;
using Search.Objective;

namespace Search.Bench;

/// <summary>
/// The dense model's row for a task table: test perplexity on the same split and token budget a
/// study's finals use (EvalSplits' test part, first FINAL_TOKENS tokens) and the tasks' accuracies.
/// </summary>
public static class DenseTaskRow
{
    public static void Run(string model, string dataset, int seqLen, long finalTokens, string tasks, string? dataDir)
    {
        using var loaded = ModelLocator.LoadFolder(model, TorchSharp.torch.ScalarType.Float32, TorchSharp.torch.CPU);
        var (_, test) = EvalSplits.Resolve(dataset, seqLen, BosMode.Corpus, loaded.Tokenizer, TokenCache.OpenDefault(), dataDir);
        var set = test.TakeTokens(finalTokens);
        var nll = PerplexityEvaluator.NllSum(loaded.Model, set.Ids, set.Count, set.SeqLen);
        Console.WriteLine($"dense {model}: {set.Split} ppl {nll.Perplexity:F4} ({nll.Tokens:N0} tokens)");
        var loadedTasks = TaskCatalog.ParseList(tasks, "tasks").Select(t => TaskCatalog.Load(t, dataDir)).ToList();
        var suite = TaskEvaluator.EvaluateAll(loaded.Model, loaded.Tokenizer, loadedTasks, bos: true);
        foreach (var t in suite.Tasks)
            Console.WriteLine($"{t.Task}: " + string.Join(", ", t.Metrics.Select(m => $"{m.Metric} {100 * m.Value:F2} ± {100 * m.Stderr:F2}")) + $" ({t.Items} items, {t.Seconds:F1} s)");
    }
}

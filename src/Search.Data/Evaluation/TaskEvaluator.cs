using System.Diagnostics;
using Search.Data.Tasks;
using Search.Model;
using Search.Model.Tokenizers;

namespace Search.Data.Evaluation;

/// <summary>Scores multiple-choice tasks by continuation log-likelihood (<see cref="LoglikelihoodEvaluator"/>) and lm-eval's metrics.</summary>
public static class TaskEvaluator
{
    /// <summary>Every choice's continuation log-likelihood, per item (in choice order).</summary>
    public static double[][] ChoiceLoglikelihoods(IDecoderLayers model, ITextTokenizer tokenizer, IReadOnlyList<ChoiceItem> items, bool bos,
        int batchSize = 0, Action<int>? onRequests = null)
    {
        var requests = new List<TokenRequest>();
        foreach (var item in items)
            foreach (var r in item.Requests)
            {
                var (ctx, cont) = TaskEncoding.EncodePair(tokenizer, r.Context, r.Continuation, bos);
                requests.Add(new TokenRequest(ctx, cont));
            }
        var lls = LoglikelihoodEvaluator.Score(model, requests, out _, batchSize, onRequests: onRequests);
        var perItem = new double[items.Count][];
        int next = 0;
        for (int i = 0; i < items.Count; i++)
        {
            perItem[i] = new double[items[i].Requests.Count];
            for (int k = 0; k < perItem[i].Length; k++) perItem[i][k] = lls[next++].Value;
        }
        return perItem;
    }

    public static TaskResult Evaluate(IDecoderLayers model, ITextTokenizer tokenizer, LoadedTask task, bool bos, int batchSize = 0, Action<int>? onRequests = null)
    {
        var sw = Stopwatch.StartNew();
        var lls = ChoiceLoglikelihoods(model, tokenizer, task.Items, bos, batchSize, onRequests);
        var metrics = task.Metrics.Select(m => TaskMetrics.Aggregate(m, TaskMetrics.ItemScores(task.Items, lls, m))).ToArray();
        return new TaskResult(task.Name, task.Dataset, task.Split, task.Follows, task.Items.Count, metrics, task.Files,
            bos ? TaskEncoding.Bos : TaskEncoding.None, sw.Elapsed.TotalSeconds);
    }

    public static TaskSuiteResult EvaluateAll(IDecoderLayers model, ITextTokenizer tokenizer, IReadOnlyList<LoadedTask> tasks, bool bos, int batchSize = 0, Action<int>? onRequests = null) =>
        new(tasks.Select(t => Evaluate(model, tokenizer, t, bos, batchSize, onRequests)).ToArray());

    /// <summary>Requests (choices) over all tasks: what a progress bar counts.</summary>
    public static int RequestCount(IEnumerable<LoadedTask> tasks) => tasks.Sum(t => t.Items.Sum(i => i.Requests.Count));
}

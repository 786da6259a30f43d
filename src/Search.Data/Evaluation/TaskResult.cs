using Search.Data.Tasks;

namespace Search.Data.Evaluation;

/// <summary>One task's accuracies with everything needed to say what they mean.</summary>
public sealed record TaskResult(
    string Task,
    string Dataset,
    string Split,
    string Follows,
    int Items,
    IReadOnlyList<MetricValue> Metrics,
    IReadOnlyList<TaskSourceFile> Files,
    string Bos,
    double Seconds)
{
    public MetricValue? Metric(string name) => Metrics.FirstOrDefault(m => m.Metric == name);

    /// <summary>acc_norm where the task reports it, else acc (the per-task number papers' averages use).</summary>
    public MetricValue Headline => Metric(TaskMetricNames.AccNorm) ?? Metric(TaskMetricNames.Acc)!;
}

/// <summary>
/// Several tasks' results and their unweighted means over tasks (as papers average a table row):
/// mean acc, and mean of acc_norm-where-reported-else-acc. The mean's stderr is √(Σ stderr²)/k
/// (independent tasks).
/// </summary>
public sealed record TaskSuiteResult(IReadOnlyList<TaskResult> Tasks)
{
    public MetricValue MeanAcc => Mean("mean_acc", Tasks.Select(t => t.Metric(TaskMetricNames.Acc)!).ToList());

    public MetricValue MeanHeadline => Mean("mean_acc_norm_or_acc", Tasks.Select(t => t.Headline).ToList());

    private static MetricValue Mean(string name, IReadOnlyList<MetricValue> values) =>
        new(name, values.Average(v => v.Value),
            values.All(v => v.Stderr is not null) ? Math.Sqrt(values.Sum(v => v.Stderr!.Value * v.Stderr.Value)) / values.Count : null);
}

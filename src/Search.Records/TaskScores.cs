namespace Search.Records;

/// <summary>A metric's value over a task's items and its standard error (null for one item).</summary>
public sealed record TaskMetricScore(string Metric, double Value, double? Stderr);

/// <summary>A file a task read, with the SHA-256 of its bytes.</summary>
public sealed record TaskFileHash(string Path, string Sha256);

/// <summary>One task's accuracies on a trial's model (docs/tasks.md).</summary>
public sealed record TaskScore(string Task, string Split, int Items, string Follows, IReadOnlyList<TaskMetricScore> Metrics, IReadOnlyList<TaskFileHash> Files)
{
    public TaskMetricScore? Metric(string name) => Metrics.FirstOrDefault(m => m.Metric == name);

    /// <summary>acc_norm where the task reports it, else acc.</summary>
    public TaskMetricScore? Headline => Metric("acc_norm") ?? Metric("acc");
}

/// <summary>
/// Zero-shot multiple-choice accuracies of a finalist or baseline (<c>search --final-tasks</c>),
/// each task capped at <paramref name="ItemCap"/> items (null: all), contexts encoded with or
/// without BOS (<paramref name="Bos"/>). Means are unweighted over tasks.
/// </summary>
public sealed record TaskScores(IReadOnlyList<TaskScore> Tasks, string Bos, int? ItemCap, double Seconds)
{
    public double? MeanAcc => Mean(t => t.Metric("acc"));

    /// <summary>Mean of acc_norm where a task reports it, else acc.</summary>
    public double? MeanHeadline => Mean(t => t.Headline);

    private double? Mean(Func<TaskScore, TaskMetricScore?> pick) =>
        Tasks.Count > 0 && Tasks.All(t => pick(t) is not null) ? Tasks.Average(t => pick(t)!.Value) : null;
}

namespace Search.Data.Tasks;

/// <summary>The accuracy metrics a task reports (lm-eval's names).</summary>
public static class TaskMetricNames
{
    /// <summary>argmax of the choices' log-likelihoods is the gold choice.</summary>
    public const string Acc = "acc";

    /// <summary>argmax of log-likelihood / len(choice string in characters) is the gold choice.</summary>
    public const string AccNorm = "acc_norm";
}

/// <summary>
/// A multiple-choice task as lm-eval defines it: the split it is scored on, the metrics its yaml
/// lists, and how one row of the dataset becomes a <see cref="ChoiceItem"/>.
/// </summary>
/// <param name="Dataset">The Hugging Face dataset (and config) whose schema the rows follow.</param>
/// <param name="Follows">Where the definition comes from, e.g. "lm-eval v0.4.12 lm_eval/tasks/piqa/piqa.yaml".</param>
public sealed record TaskDefinition(
    string Name,
    string Dataset,
    string Split,
    IReadOnlyList<string> Metrics,
    string Follows,
    Func<TaskRow, ChoiceItem> Build);

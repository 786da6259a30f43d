using Search.Data.Evaluation;
using Search.Data.Tasks;
using Search.Model.Tokenizers;
using Search.Optimization;
using Search.Optimization.Storage;
using Search.Optimization.Trials;
using Search.Records;

namespace Search.Objective;

/// <summary>
/// <c>search --final-tasks</c>: the tasks (read and checked before the study runs), each capped at
/// <paramref name="ItemCap"/> items (null: all), contexts with or without BOS.
/// </summary>
public sealed record TaskSettings(IReadOnlyList<LoadedTask> Tasks, bool Bos, int? ItemCap);

/// <summary>
/// After finalisation, every baseline and finalist without a <see cref="TrialAttrs.Tasks"/> record is
/// rebuilt and scored on the tasks (<see cref="TaskEvaluator"/>); the record is written once, so a
/// rerun only adds what is missing and a finalized study can be scored later.
/// </summary>
public static class StudyTaskScoring
{
    /// <summary>The study task (run once, whichever worker claims it).</summary>
    public const string Task = "tasks";

    public static void Run(TextWriter log, ITrialStorage storage, Study study, TrialRunner runner, ITextTokenizer tokenizer,
        TaskSettings settings, CancellationToken cancel = default)
    {
        var tasks = settings.Tasks.Select(t => t.Take(settings.ItemCap)).ToList();
        foreach (var t in StudyFinalizer.Finalists(storage.GetTrials(study.Name), runner.Settings.Finalists)
                     .Where(t => t.UserAttr(TrialAttrs.Tasks) is null))
        {
            cancel.ThrowIfCancellationRequested();
            TaskSuiteResult suite;
            using (var scope = TorchSharp.torch.NewDisposeScope())
            using (var pruned = runner.Build(t.Params, out _))
                suite = TaskEvaluator.EvaluateAll(pruned, tokenizer, tasks, settings.Bos);
            var record = Record(suite, settings);
            storage.SetTrialUserAttr(study.Name, t.Number, TrialAttrs.Tasks, AttrJson.Serialize(record));
            string label = t.UserAttr(UserAttrKeys.Baseline) is { } tag ? $"trial {t.Number + 1} [{tag}]" : $"trial {t.Number + 1}";
            log.WriteLine($"tasks {label}: " + string.Join(", ", record.Tasks.SelectMany(x => x.Metrics.Select(m =>
                $"{x.Task} {m.Metric} {100 * m.Value:F2}"))) + $" (mean acc {100 * record.MeanAcc:F2}, {record.Seconds:F1} s)");
        }
    }

    public static TaskScores Record(TaskSuiteResult suite, TaskSettings settings) => new(
        suite.Tasks.Select(t => new TaskScore(t.Task, t.Split, t.Items, t.Follows,
            t.Metrics.Select(m => new TaskMetricScore(m.Metric, m.Value, m.Stderr)).ToList(),
            t.Files.Select(f => new TaskFileHash(f.Path, f.Sha256)).ToList())).ToList(),
        settings.Bos ? TaskEncoding.Bos : TaskEncoding.None, settings.ItemCap, suite.Tasks.Sum(t => t.Seconds));
}

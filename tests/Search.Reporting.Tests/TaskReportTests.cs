using Search.Optimization.Storage;
using Search.Records;
using Search.Reporting.Data;
using Search.Reporting.Experiments;
using Search.Reporting.Tables;

namespace Search.Reporting.Tests;

/// <summary>Reports and trial rows of a study scored with <c>search --final-tasks</c>: a column per task and metric, the means, published zero-shot rows.</summary>
public sealed class TaskReportTests
{
    private static TaskScores Scores(double acc, double accNorm) => new(
        [
            new TaskScore("story_next", "valid[test]", 1000, "PruneSearch", [new("acc", acc, 0.015), new("acc_norm", accNorm, 0.016)], [new("/d/valid.txt", new string('a', 64))]),
            new TaskScore("boolq", "validation", 1000, "lm-eval v0.4.12", [new("acc", 0.6, 0.0155)], [new("/d/boolq.jsonl", new string('b', 64))]),
        ], "bos", 1000, 12.5);

    private static InMemoryStorage Scored()
    {
        var storage = new InMemoryStorage();
        SyntheticStudy.Create(storage, "s");
        storage.SetTrialUserAttr("s", 0, TrialAttrs.Tasks, AttrJson.Serialize(Scores(0.40, 0.47)));
        storage.SetTrialUserAttr("s", 2, TrialAttrs.Tasks, AttrJson.Serialize(Scores(0.42, 0.50)));
        return storage;
    }

    [Fact]
    public void The_tasks_table_names_each_metric_and_gives_value_stderr_and_unweighted_means()
    {
        var s = new StudySummary(StudyData.Load(Scored(), "s", "mem"));
        var table = ReportTables.Tasks(s)!;
        Assert.Equal(["story_next acc (%)", "story_next acc_norm (%)", "boolq acc (%)", "mean acc (%)", "mean acc_norm|acc (%)"], table.Headers.Skip(4));
        Assert.Equal("flap-wifv-al-am-bias", table.Rows[0][0]);
        Assert.Equal(["40.00 ± 1.50", "47.00 ± 1.60", "60.00 ± 1.55", "50.00", "53.50"], table.Rows[0].Skip(4));   // means: (40+60)/2, (47+60)/2
        Assert.Equal("searched #3", table.Rows[1][0]);
        Assert.Contains("first 1,000 items per task", table.Title);
        Assert.Equal(["50.00", "53.50"], ReportTables.Summary(s).Rows[0].Skip(ReportTables.Summary(s).Headers.ToList().IndexOf("mean acc (%)")).Take(2));

        var plain = new InMemoryStorage();
        SyntheticStudy.Create(plain, "p");
        Assert.Null(ReportTables.Tasks(new StudySummary(StudyData.Load(plain, "p", "mem"))));
    }

    [Fact]
    public void Trial_rows_carry_one_column_per_task_and_metric()
    {
        var rows = TrialRows.Of(Scored().GetTrials("s"));
        Assert.Contains("task.story_next.acc_norm", rows.Columns);
        Assert.Contains("task.boolq.acc_stderr", rows.Columns);
        Assert.Equal(0.47, rows.Rows[0]["task.story_next.acc_norm"]);
        Assert.Equal(0.5, (double)rows.Rows[0]["task.mean_acc"]!, 12);
        Assert.Null(rows.Rows[1]["task.story_next.acc"]);
    }

    [Fact]
    public void Published_zero_shot_rows_sit_beside_the_tagged_trials_measured_accuracy()
    {
        var s = new StudySummary(StudyData.Load(Scored(), "s", "mem"));
        var row = new PublishedRow("FLAP", "LLaMA-7B", s.Data.Objective!.Ratio, "wikitext2", 128, 14.62, "test", "flap-wifv-al-am-bias",
            new Dictionary<string, double> { ["boolq.acc"] = 61.0, ["story_next.acc"] = 39.0 });
        var table = ReportTables.PublishedZeroShot(s, [row])!;
        Assert.Equal(["boolq.acc", "story_next.acc"], table.Headers.Skip(3).Take(2));
        Assert.Equal(["61.00 / 60.00", "39.00 / 40.00"], table.Rows[0].Skip(3).Take(2));
        Assert.Null(ReportTables.PublishedZeroShot(s, [row with { ZeroShot = null }]));
    }
}

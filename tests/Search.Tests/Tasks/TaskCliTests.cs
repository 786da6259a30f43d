using System.Text.Json;
using Search.Tests.Cli;

namespace Search.Tests.Tasks;

/// <summary><c>eval --tasks</c> and <c>search --final-tasks</c> through the built CLI.</summary>
[Collection(CliCollection.Name)]
public sealed class TaskCliTests
{
    private static void AssertOneLineError((int Exit, string Out, string Err) r, string expected)
    {
        Assert.Equal(2, r.Exit);
        Assert.Contains(expected, r.Err);
        Assert.Single(r.Err.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void A_bad_task_row_is_one_line_naming_file_row_and_field_before_any_model_loads() =>
        AssertOneLineError(CliRunner.Run("eval", "--model", "/nonexistent-model", "--tasks", "piqa=" + TaskPromptTests.Fixture("bad_label.jsonl")),
            "bad_label.jsonl row 1: field 'label' is 2, out of range for 2 choices");

    [Fact]
    public void Unknown_tasks_and_item_counts_are_named()
    {
        AssertOneLineError(CliRunner.Run("eval", "--tasks", "piqa,mmlu"), "--tasks: unknown task 'mmlu'");
        AssertOneLineError(CliRunner.Run("eval", "--tasks", "piqa", "--task-items", "0"), "--task-items must be a positive item count or 'all'");
        AssertOneLineError(CliRunner.Run("search", "--final-tasks", "boolq=" + TaskPromptTests.Fixture("bad_missing_field.jsonl")),
            "bad_missing_field.jsonl row 1: field 'passage' is missing");
    }

    [SharedFact]
    public void Eval_scores_story_next_far_above_chance_on_stories260K_and_records_each_file_hash()
    {
        var r = CliRunner.Run("eval", "--model", SharedAssets.Stories260K, "--data-dir", SharedAssets.DataDirectory,
            "--tasks", "story_next,piqa=" + TaskPromptTests.Fixture("piqa.jsonl"), "--task-items", "300", "--json");
        Assert.True(r.Exit == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var tasks = doc.RootElement.GetProperty("tasks").GetProperty("tasks");
        var story = tasks[0];
        Assert.Equal("story_next", story.GetProperty("task").GetString());
        Assert.Equal(300, story.GetProperty("items").GetInt32());
        double acc = story.GetProperty("metrics").GetProperty("acc").GetProperty("value").GetDouble();
        double se = story.GetProperty("metrics").GetProperty("acc").GetProperty("stderr").GetDouble();
        Assert.True(acc > 0.25 + 3 * se, $"story_next acc {acc} ± {se} is not far above the 4-way chance 0.25");
        var piqa = tasks[1];
        Assert.Equal(Search.Data.Tasks.TaskRows.Sha256Of(TaskPromptTests.Fixture("piqa.jsonl")), piqa.GetProperty("files")[0].GetProperty("sha256").GetString());
        Assert.Equal(JsonValueKind.Null, piqa.GetProperty("metrics").GetProperty("acc").GetProperty("stderr").ValueKind);   // one item: no stderr
    }

    [SharedFact]
    public void Search_final_tasks_scores_baselines_once_and_trials_and_report_carry_the_columns()
    {
        string dir = Directory.CreateTempSubdirectory("prunesearch-tasks-").FullName;
        try
        {
            string db = Path.Combine(dir, "t.db");
            string[] args =
            [
                "search", "--model", SharedAssets.Stories260K, "--space", CliRunner.Space("stories.json"), "--data-dir", SharedAssets.DataDirectory,
                "--eval-dataset", "tinystories", "--db", db, "--study", "s", "--trials", "2", "--proxy-windows", "2", "--finalists", "1",
                "--pool-size", "128", "--final-tokens", "1000",
                "--final-tasks", "story_next,piqa=" + TaskPromptTests.Fixture("piqa.jsonl"), "--final-task-items", "20",
            ];
            var r = CliRunner.Run(args);
            Assert.True(r.Exit == 0, r.Err);
            Assert.Equal(2, r.Out.Split('\n').Count(l => l.StartsWith("tasks trial ", StringComparison.Ordinal)));
            // A rerun adds nothing: each trial's record is written once.
            r = CliRunner.Run(args);
            Assert.True(r.Exit == 0, r.Err);
            Assert.DoesNotContain("tasks trial ", r.Out);

            var rows = CliRunner.Run("trials", "--db", db, "--study", "s", "--format", "json");
            Assert.True(rows.Exit == 0, rows.Err);
            using var doc = JsonDocument.Parse(rows.Out);
            foreach (var row in doc.RootElement.EnumerateArray())
            {
                Assert.InRange(row.GetProperty("task.story_next.acc").GetDouble(), 0, 1);
                Assert.Equal(20, row.GetProperty("task.story_next.items").GetInt32());
                Assert.Equal(1, row.GetProperty("task.piqa.items").GetInt32());
                Assert.Equal(JsonValueKind.Number, row.GetProperty("task.mean_acc").ValueKind);
            }
            var report = CliRunner.Run("report", "--db", db, "--study", "s", "--out", Path.Combine(dir, "r"));
            Assert.True(report.Exit == 0, report.Err);
            string md = File.ReadAllText(Path.Combine(dir, "r", "report.md"));
            Assert.Contains("| story_next acc (%) | story_next acc_norm (%) | piqa acc (%) | piqa acc_norm (%) | mean acc (%) |", md);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}

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
}

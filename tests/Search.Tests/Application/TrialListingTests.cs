using System.Text.Json;
using Search.Application.Reports;
using Search.Optimization.Storage;
using Search.Optimization.Trials;
using Search.Records;
using Search.Reporting;

namespace Search.Tests.Application;

/// <summary><c>trials</c> and <c>compare</c> as library calls: one store, two finished trials.</summary>
public sealed class TrialListingTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("prunesearch-trial-listing-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string Store()
    {
        string db = Path.Combine(dir, "study.db");
        using var storage = new LiteDbStorage(db);
        storage.CreateOrOpenStudy(new StudyRecord("s", "/models/m", "sha256:abc", "{\"name\":\"x\",\"params\":[]}", 2, "gp", 0, "{}", "test"));
        for (int n = 0; n < 2; n++)
        {
            storage.TryCreateTrial("s", new FrozenTrial(n, TrialState.Running, new Dictionary<string, ParamValue>(), null, [],
                new Dictionary<string, string>(), null, DateTime.UnixEpoch, null, n, WorkerIdentity.Current.ToString()));
            storage.FinishTrial("s", n, TrialOutcome.Completed(10.0 + n, [new TrialScore("ppl", 10.0 + n, "valid", 100, 64, "corpus")]), DateTime.UnixEpoch);
        }
        return db;
    }

    [Fact]
    public void Given_a_study_When_listed_in_each_format_Then_every_trial_is_one_row_with_its_value()
    {
        string db = Store();
        var table = new StringWriter();
        var json = new StringWriter();
        var csv = new StringWriter();

        TrialListing.Trials(table, db, "s", TrialListFormat.Table);
        TrialListing.Trials(json, db, "s", TrialListFormat.Json);
        TrialListing.Trials(csv, db, "s", TrialListFormat.Csv);

        Assert.Contains("study s: 2 trials", table.ToString());
        using var doc = JsonDocument.Parse(json.ToString());
        Assert.Equal([10.0, 11.0], doc.RootElement.EnumerateArray().Select(t => t.GetProperty("value").GetDouble()));
        var lines = csv.ToString().TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length); // header + one row per trial
    }

    [Fact]
    public void Given_trials_by_number_When_compared_Then_each_is_a_column_named_by_study_and_number_and_a_missing_one_is_refused()
    {
        string db = Store();

        var table = StudyComparison.Build([db], [], [new ComparedTrial("s", 2), new ComparedTrial("s", 1)]);
        string markdown = StudyComparison.Render(table, Search.Reporting.Tables.ReportFormat.Markdown);

        Assert.True(markdown.IndexOf("s #2", StringComparison.Ordinal) is > 0 and var two && two < markdown.IndexOf("s #1", StringComparison.Ordinal));
        var e = Assert.Throws<ReportInputException>(() => StudyComparison.Build([db], [], [new ComparedTrial("s", 3)]));
        Assert.Contains("study 's' has no trial 3", e.Message);
    }
}

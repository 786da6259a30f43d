using Search.Application.Stores;
using Search.Model;
using Search.Optimization.Storage;
using Search.Optimization.Trials;
using Search.Records;
using Search.Reporting;

namespace Search.Tests.Application;

/// <summary>Reading stores as the reading commands do: read-only, byte-identical afterwards, damage named by file, trial and key.</summary>
public sealed class StudyStoresTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("prunesearch-study-stores-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string Store(string? planAttr = null, bool withTrials = true)
    {
        string db = Path.Combine(dir, "study.db");
        using var storage = new LiteDbStorage(db);
        storage.CreateOrOpenStudy(new StudyRecord("s", "/models/m", "sha256:abc", "{\"name\":\"x\",\"params\":[]}", 2, "gp", 0, "{}", "test"));
        storage.CreateOrOpenStudy(new StudyRecord("empty", "/models/m", "sha256:abc", "{\"name\":\"x\",\"params\":[]}", 2, "gp", 0, "{}", "test"));
        if (!withTrials) return db;
        for (int n = 0; n < 2; n++)
        {
            storage.TryCreateTrial("s", new FrozenTrial(n, TrialState.Running, new Dictionary<string, ParamValue>(), null, [],
                new Dictionary<string, string>(), null, DateTime.UnixEpoch, null, n, WorkerIdentity.Current.ToString()));
            if (planAttr is not null) storage.SetTrialUserAttr("s", n, TrialAttrs.Plan, planAttr);
            storage.FinishTrial("s", n, TrialOutcome.Completed(10.0 + n, [new TrialScore("ppl", 10.0 + n, "valid", 100, 64, "corpus")]), DateTime.UnixEpoch);
        }
        return db;
    }

    [Fact]
    public void A_study_is_read_without_changing_its_store_and_an_unknown_one_names_what_exists()
    {
        string db = Store();
        var before = File.ReadAllBytes(db);

        var data = StudyStores.Load([db], "s");
        Assert.Equal([0, 1], data.Trials.Select(t => t.Number));
        Assert.Equal(["s"], StudyStores.LoadAll([db]).Select(d => d.Name)); // 'empty' has no complete trial
        var (record, trials) = StudyStores.ReadTrials(db, "s");
        Assert.Equal(("s", 2), (record.Name, trials.Count));

        var unknown = Assert.Throws<ReportInputException>(() => StudyStores.Load([db], "nope"));
        Assert.Equal($"{db}: no study named 'nope' (studies: empty, s)", unknown.Message);
        Assert.Equal("study 'empty' has no trials yet", Assert.Throws<UserInputException>(() => StudyStores.ReadTrials(db, "empty")).Message);
        Assert.Equal(before, File.ReadAllBytes(db));
    }

    [Fact]
    public void An_attribute_edited_by_hand_is_one_line_naming_the_store_the_trial_and_the_key()
    {
        string db = Store(planAttr: "[1,");
        var e = Assert.Throws<UserInputException>(() => StudyStores.Load([db], "s"));
        Assert.StartsWith($"{db}: study 's' trial 1 has an unreadable 'plan' attribute", e.Message);
    }
}

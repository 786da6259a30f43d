using Search.Optimization.Storage;
using Search.Optimization.Trials;

namespace Search.Optimization.Tests.Storage;

/// <summary>
/// The behaviour every <see cref="ITrialStorage"/> backend must show. Subclasses only say how to
/// open a fresh storage, how to reopen "the same" one, and how a second worker connects to it.
/// The suite is split by topic over partial files (leases, study tasks, workers, import).
/// </summary>
public abstract partial class TrialStorageContract : IDisposable
{
    private readonly List<ITrialStorage> _opened = [];

    protected abstract ITrialStorage CreateFresh();

    protected abstract ITrialStorage Reopen(ITrialStorage previous);

    /// <summary>A second, independent handle on the same store (what another worker process would open); <paramref name="existing"/> stays open.</summary>
    protected abstract ITrialStorage Connect(ITrialStorage existing);

    protected ITrialStorage OpenConnected(ITrialStorage existing) => Track(Connect(existing));

    protected ITrialStorage Open()
    {
        var storage = CreateFresh();
        _opened.Add(storage);
        return storage;
    }

    protected ITrialStorage Track(ITrialStorage storage)
    {
        _opened.Add(storage);
        return storage;
    }

    public virtual void Dispose()
    {
        foreach (var storage in _opened) storage.Dispose();
        GC.SuppressFinalize(this);
    }

    protected static StudyRecord Record(string name = "study", string hash = "sha256:1", string space = """{"params":[]}""") =>
        new(name, "/m", hash, space, 4, "random", 3, "ppl", "1.0");

    [StoreFact]
    public void Given_a_new_study_When_created_Then_it_is_listed_with_its_record()
    {
        var storage = Open();
        storage.CreateOrOpenStudy(Record("b"));
        storage.CreateOrOpenStudy(Record("a"));
        Assert.Equal(["a", "b"], storage.GetStudies().Select(s => s.Name));
        Assert.Equal(Record("a"), storage.FindStudy("a"));
        Assert.Null(storage.FindStudy("missing"));
    }

    [StoreFact]
    public void Given_an_existing_study_When_reopened_with_a_different_model_hash_Then_a_one_line_error_names_it()
    {
        var storage = Open();
        storage.CreateOrOpenStudy(Record());
        var error = Assert.Throws<OptimizationInputException>(() => storage.CreateOrOpenStudy(Record(hash: "sha256:2")));
        Assert.Contains("model hash", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [StoreFact]
    public void Given_an_existing_study_When_reopened_with_a_different_space_Then_it_is_refused_but_whitespace_is_not_a_difference()
    {
        var storage = Open();
        storage.CreateOrOpenStudy(Record());
        storage.CreateOrOpenStudy(Record(space: "{ \"params\" : [ ] }"));
        var error = Assert.Throws<OptimizationInputException>(() => storage.CreateOrOpenStudy(Record(space: """{"params":[1]}""")));
        Assert.Contains("search space JSON", error.Message);
    }

    [StoreFact]
    public void Given_a_trial_When_created_and_read_back_Then_every_field_round_trips()
    {
        var storage = Open();
        storage.CreateOrOpenStudy(Record());
        var trial = TestData.RunningTrial(0) with { HeartbeatUtc = new DateTime(2026, 1, 2, 3, 4, 6, DateTimeKind.Utc).AddTicks(7) };
        Assert.True(storage.TryCreateTrial("study", trial));
        var read = storage.GetTrial("study", 0);
        Assert.True(ParamSet.SequenceEquals(trial.Params, read.Params));
        Assert.Equal(trial.StartUtc, read.StartUtc);
        Assert.Equal(DateTimeKind.Utc, read.StartUtc.Kind);
        Assert.Equal(trial.HeartbeatUtc, read.HeartbeatUtc);
        Assert.Equal(DateTimeKind.Utc, read.HeartbeatUtc!.Value.Kind);
        Assert.Equal((trial.Number, trial.State, trial.Seed, trial.Worker, trial.SchemaVersion), (read.Number, read.State, read.Seed, read.Worker, read.SchemaVersion));
    }

    [StoreFact]
    public void Given_a_taken_number_When_a_second_trial_claims_it_Then_the_claim_fails()
    {
        var storage = Open();
        storage.CreateOrOpenStudy(Record());
        Assert.True(storage.TryCreateTrial("study", TestData.RunningTrial(0)));
        Assert.False(storage.TryCreateTrial("study", TestData.RunningTrial(0)));
        Assert.Single(storage.GetTrials("study"));
    }

    [StoreFact]
    public void Given_a_running_trial_When_finished_Then_state_value_scores_and_attrs_persist_and_it_becomes_immutable()
    {
        var storage = Open();
        storage.CreateOrOpenStudy(Record());
        storage.TryCreateTrial("study", TestData.RunningTrial(0));
        storage.SetTrialUserAttr("study", 0, "plan", """{"kept":[1,2]}""");
        var score = new TrialScore("ppl", 14.62, "validation", 8192, 128, "prepend");
        var end = new DateTime(2026, 5, 6, 7, 8, 9, DateTimeKind.Utc).AddTicks(3);
        storage.FinishTrial("study", 0, TrialOutcome.Completed(14.62, [score]), end);

        var read = storage.GetTrial("study", 0);
        Assert.Equal(TrialState.Complete, read.State);
        Assert.Equal(14.62, read.Value);
        Assert.Equal([score], read.Scores);
        Assert.Equal("""{"kept":[1,2]}""", read.UserAttr("plan"));
        Assert.Equal(end, read.EndUtc);
        Assert.Throws<InvalidOperationException>(() => storage.FinishTrial("study", 0, TrialOutcome.Failed("again"), end));
        Assert.Throws<InvalidOperationException>(() => storage.SetTrialUserAttr("study", 0, "k", "v"));
    }

    [StoreFact]
    public void Given_a_failed_trial_When_read_Then_the_error_text_is_kept_and_value_is_null()
    {
        var storage = Open();
        storage.CreateOrOpenStudy(Record());
        storage.TryCreateTrial("study", TestData.RunningTrial(0));
        storage.FinishTrial("study", 0, TrialOutcome.Failed("CUDA out of memory"), DateTime.UtcNow);
        var read = storage.GetTrial("study", 0);
        Assert.Equal((TrialState.Failed, (double?)null, "CUDA out of memory"), (read.State, read.Value, read.Error));
    }

    [StoreFact]
    public void Given_two_studies_When_trials_are_added_Then_each_lists_only_its_own_in_number_order()
    {
        var storage = Open();
        storage.CreateOrOpenStudy(Record("a"));
        storage.CreateOrOpenStudy(Record("b"));
        foreach (var n in new[] { 2, 0, 1 }) storage.TryCreateTrial("a", TestData.RunningTrial(n));
        storage.TryCreateTrial("b", TestData.RunningTrial(0));
        Assert.Equal([0, 1, 2], storage.GetTrials("a").Select(t => t.Number));
        Assert.Single(storage.GetTrials("b"));
    }

    [StoreFact]
    public void Given_a_queue_When_the_same_tags_are_enqueued_again_Then_nothing_is_duplicated_and_order_is_kept()
    {
        var storage = Open();
        storage.CreateOrOpenStudy(Record());
        var p = ParamSet.Freeze([KeyValuePair.Create("metric", ParamValue.Of("wifv"))]);
        Assert.Equal(2, storage.Enqueue("study", [new QueuedConfigDraft("flap", p), new QueuedConfigDraft("wanda", p)]));
        Assert.Equal(1, storage.Enqueue("study", [new QueuedConfigDraft("wanda", p), new QueuedConfigDraft("magnitude", p)]));
        var queue = storage.GetQueue("study");
        Assert.Equal(["flap", "wanda", "magnitude"], queue.Select(q => q.Tag));
        Assert.Equal([0, 1, 2], queue.Select(q => q.Index));
        Assert.True(ParamSet.SequenceEquals(p, queue[0].Params));
    }

    [StoreFact]
    public void Given_an_unknown_study_When_its_trials_are_read_Then_it_says_so()
    {
        var storage = Open();
        Assert.Throws<KeyNotFoundException>(() => storage.GetTrials("nope"));
        Assert.Throws<KeyNotFoundException>(() => storage.TryCreateTrial("nope", TestData.RunningTrial(0)));
    }

    [StoreFact]
    public void Given_stored_trials_When_the_storage_is_reopened_Then_they_are_still_there()
    {
        var storage = Open();
        storage.CreateOrOpenStudy(Record());
        storage.TryCreateTrial("study", TestData.RunningTrial(0));
        storage.FinishTrial("study", 0, TrialOutcome.Completed(1.5), DateTime.UtcNow);
        var reopened = Track(Reopen(storage));
        Assert.Equal(1.5, reopened.GetTrial("study", 0).Value);
        Assert.Equal(Record(), reopened.FindStudy("study"));
    }
}

using Search.Optimization.Storage;
using Search.Optimization.Trials;

namespace Search.Optimization.Tests.Storage;

/// <summary>Heartbeats, takeovers and the writes a worker may still make to "its" trial.</summary>
public abstract partial class TrialStorageContract
{
    private static readonly DateTime T0 = new(2026, 2, 3, 4, 5, 6, DateTimeKind.Utc);

    [StoreFact]
    public void Given_a_running_trial_When_its_worker_beats_Then_the_beat_is_stored_and_nobody_else_can_beat_for_it()
    {
        var storage = Open();
        storage.CreateOrOpenStudy(Record());
        storage.TryCreateTrial("study", TestData.RunningTrial(0, worker: "a") with { HeartbeatUtc = T0 });

        Assert.True(storage.RecordHeartbeat("study", 0, "a", T0.AddSeconds(10)));
        Assert.Equal(T0.AddSeconds(10), storage.GetTrial("study", 0).HeartbeatUtc);
        Assert.False(storage.RecordHeartbeat("study", 0, "b", T0.AddSeconds(20)));
        Assert.Equal(T0.AddSeconds(10), storage.GetTrial("study", 0).HeartbeatUtc);

        storage.FinishTrial("study", 0, TrialOutcome.Completed(1.0), T0.AddSeconds(30));
        Assert.False(storage.RecordHeartbeat("study", 0, "a", T0.AddSeconds(40)));
        Assert.Equal(T0.AddSeconds(10), storage.GetTrial("study", 0).HeartbeatUtc);
    }

    [StoreFact]
    public void Given_a_running_trial_When_taken_over_Then_only_the_holder_and_beat_the_caller_saw_can_be_replaced()
    {
        var storage = Open();
        storage.CreateOrOpenStudy(Record());
        var original = TestData.RunningTrial(0, worker: "old") with { HeartbeatUtc = T0 };
        storage.TryCreateTrial("study", original);

        Assert.False(storage.TryTakeOverTrial("study", 0, "someone-else", T0, "new", T0.AddMinutes(2)));
        // The holder beat after the caller looked: its trial is not taken.
        Assert.False(storage.TryTakeOverTrial("study", 0, "old", T0.AddSeconds(-10), "new", T0.AddMinutes(2)));
        Assert.True(storage.TryTakeOverTrial("study", 0, "old", T0, "new", T0.AddMinutes(2)));

        var taken = storage.GetTrial("study", 0);
        Assert.Equal(("new", T0.AddMinutes(2), "old"), (taken.Worker, taken.HeartbeatUtc, taken.UserAttr(UserAttrKeys.ReclaimedFrom)));
        Assert.Equal((original.Number, original.Seed, original.StartUtc, TrialState.Running), (taken.Number, taken.Seed, taken.StartUtc, taken.State));
        Assert.True(ParamSet.SequenceEquals(original.Params, taken.Params));
        Assert.False(storage.TryTakeOverTrial("study", 0, "old", T0, "third", T0.AddMinutes(3)));
    }

    [StoreFact]
    public void Given_a_trial_stored_before_heartbeats_When_taken_over_Then_its_missing_beat_is_what_the_caller_names()
    {
        var storage = Open();
        storage.CreateOrOpenStudy(Record());
        storage.TryCreateTrial("study", TestData.RunningTrial(0, worker: "old"));
        Assert.Null(storage.GetTrial("study", 0).HeartbeatUtc);
        Assert.False(storage.TryTakeOverTrial("study", 0, "old", T0, "new", T0));
        Assert.True(storage.TryTakeOverTrial("study", 0, "old", null, "new", T0));
    }

    [StoreFact]
    public void Given_a_trial_taken_over_When_the_silent_worker_reports_late_Then_its_result_is_discarded_and_the_new_holder_finishes()
    {
        var storage = Open();
        storage.CreateOrOpenStudy(Record());
        storage.TryCreateTrial("study", TestData.RunningTrial(0, worker: "slow") with { HeartbeatUtc = T0 });
        storage.TryTakeOverTrial("study", 0, "slow", T0, "rescuer", T0.AddMinutes(2));

        Assert.False(storage.RecordHeartbeat("study", 0, "slow", T0.AddMinutes(2)));
        Assert.Null(storage.TryFinishTrial("study", 0, "slow", TrialOutcome.Completed(9.0), T0.AddMinutes(3)));
        Assert.Equal(TrialState.Running, storage.GetTrial("study", 0).State);

        var finished = storage.TryFinishTrial("study", 0, "rescuer", TrialOutcome.Completed(2.0), T0.AddMinutes(4));
        Assert.Equal((TrialState.Complete, 2.0), (finished!.State, finished.Value));
        Assert.Equal(2.0, storage.GetTrial("study", 0).Value);
        Assert.Null(storage.TryFinishTrial("study", 0, "rescuer", TrialOutcome.Completed(3.0), T0.AddMinutes(5)));
    }

    [StoreFact]
    public void Given_a_finished_trial_When_the_same_annotation_is_written_twice_Then_the_second_is_a_no_op_and_a_different_value_is_refused()
    {
        var storage = Open();
        storage.CreateOrOpenStudy(Record());
        storage.TryCreateTrial("study", TestData.RunningTrial(0));
        storage.FinishTrial("study", 0, TrialOutcome.Completed(1.0), T0);
        var key = UserAttrKeys.AnnotationPrefix + "final";

        storage.SetTrialUserAttr("study", 0, key, """{"test":14.6}""");
        storage.SetTrialUserAttr("study", 0, key, """{"test":14.6}""");
        Assert.Equal("""{"test":14.6}""", storage.GetTrial("study", 0).UserAttr(key));

        var error = Assert.Throws<InvalidOperationException>(() => storage.SetTrialUserAttr("study", 0, key, """{"test":99}"""));
        Assert.Contains("already has a different annotation", error.Message);
        Assert.Equal("""{"test":14.6}""", storage.GetTrial("study", 0).UserAttr(key));
        Assert.Equal(TrialState.Complete, storage.GetTrial("study", 0).State);
    }

    [StoreFact]
    public void Given_a_queued_config_consumed_by_one_trial_When_another_number_claims_it_Then_the_claim_fails()
    {
        var storage = Open();
        storage.CreateOrOpenStudy(Record());
        static FrozenTrial Consuming(int number, string queueIndex) => TestData.RunningTrial(number) with
        {
            UserAttrs = new Dictionary<string, string> { [UserAttrKeys.QueueIndex] = queueIndex, [UserAttrKeys.Baseline] = "flap" },
        };
        Assert.True(storage.TryCreateTrial("study", Consuming(0, "0")));
        Assert.False(storage.TryCreateTrial("study", Consuming(1, "0")));
        Assert.True(storage.TryCreateTrial("study", Consuming(1, "1")));
        Assert.Equal([0, 1], storage.GetTrials("study").Select(t => t.Number));
    }
}

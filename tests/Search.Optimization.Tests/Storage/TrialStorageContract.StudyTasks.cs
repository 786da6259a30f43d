using Search.Optimization.Storage;

namespace Search.Optimization.Tests.Storage;

/// <summary>Study-level tasks (finalization) claimed once through the store.</summary>
public abstract partial class TrialStorageContract
{
    [StoreFact]
    public void Given_an_unclaimed_task_When_two_workers_claim_it_Then_only_the_first_holds_it_and_only_the_holder_beats()
    {
        var storage = Open();
        storage.CreateOrOpenStudy(Record());
        Assert.Null(storage.GetStudyTask("study", "finalize"));

        Assert.True(storage.TryClaimStudyTask("study", "finalize", "a", T0));
        Assert.False(storage.TryClaimStudyTask("study", "finalize", "b", T0));
        Assert.Equal(new StudyTask("finalize", StudyTaskState.Running, "a", T0, T0, null), storage.GetStudyTask("study", "finalize"));

        Assert.True(storage.BeatStudyTask("study", "finalize", "a", T0.AddSeconds(10)));
        Assert.False(storage.BeatStudyTask("study", "finalize", "b", T0.AddSeconds(20)));
        Assert.False(storage.CompleteStudyTask("study", "finalize", "b", T0.AddSeconds(20)));
        Assert.Equal(T0.AddSeconds(10), storage.GetStudyTask("study", "finalize")!.HeartbeatUtc);
    }

    [StoreFact]
    public void Given_a_held_task_When_another_worker_takes_it_over_Then_it_must_name_the_holder_and_beat_it_saw()
    {
        var storage = Open();
        storage.CreateOrOpenStudy(Record());
        storage.TryClaimStudyTask("study", "finalize", "a", T0);
        var seen = storage.GetStudyTask("study", "finalize")!;
        storage.BeatStudyTask("study", "finalize", "a", T0.AddSeconds(10));

        Assert.False(storage.TryClaimStudyTask("study", "finalize", "b", T0.AddMinutes(2), seen));
        var fresh = storage.GetStudyTask("study", "finalize")!;
        Assert.True(storage.TryClaimStudyTask("study", "finalize", "b", T0.AddMinutes(2), fresh));
        Assert.False(storage.TryClaimStudyTask("study", "finalize", "c", T0.AddMinutes(2), fresh));

        Assert.False(storage.BeatStudyTask("study", "finalize", "a", T0.AddMinutes(2)));
        Assert.Equal(("b", T0.AddMinutes(2)), (storage.GetStudyTask("study", "finalize")!.Worker, storage.GetStudyTask("study", "finalize")!.ClaimedUtc));
    }

    [StoreFact]
    public void Given_a_completed_task_When_anyone_claims_it_Then_it_stays_complete()
    {
        var storage = Open();
        storage.CreateOrOpenStudy(Record());
        storage.TryClaimStudyTask("study", "finalize", "a", T0);
        Assert.True(storage.CompleteStudyTask("study", "finalize", "a", T0.AddSeconds(5)));
        var done = storage.GetStudyTask("study", "finalize")!;
        Assert.Equal((StudyTaskState.Complete, (DateTime?)T0.AddSeconds(5)), (done.State, done.CompletedUtc));

        Assert.False(storage.TryClaimStudyTask("study", "finalize", "b", T0.AddHours(1)));
        Assert.False(storage.TryClaimStudyTask("study", "finalize", "b", T0.AddHours(1), done));
        Assert.False(storage.BeatStudyTask("study", "finalize", "a", T0.AddHours(1)));
        Assert.False(storage.ReleaseStudyTask("study", "finalize", "a"));
        Assert.Equal(done, storage.GetStudyTask("study", "finalize"));
    }

    [StoreFact]
    public void Given_a_held_task_When_its_holder_releases_it_Then_another_worker_may_claim_it_at_once()
    {
        var storage = Open();
        storage.CreateOrOpenStudy(Record());
        storage.TryClaimStudyTask("study", "finalize", "a", T0);
        Assert.False(storage.ReleaseStudyTask("study", "finalize", "b"));
        Assert.True(storage.ReleaseStudyTask("study", "finalize", "a"));
        Assert.Null(storage.GetStudyTask("study", "finalize"));
        Assert.True(storage.TryClaimStudyTask("study", "finalize", "b", T0.AddSeconds(1)));
    }

    [StoreFact]
    public void Given_tasks_of_two_studies_When_listed_Then_each_study_lists_its_own_by_name()
    {
        var storage = Open();
        storage.CreateOrOpenStudy(Record("a"));
        storage.CreateOrOpenStudy(Record("b"));
        storage.TryClaimStudyTask("a", "seed_spread", "w", T0);
        storage.TryClaimStudyTask("a", "finalize", "w", T0);
        storage.TryClaimStudyTask("b", "finalize", "v", T0);
        Assert.Equal(["finalize", "seed_spread"], storage.GetStudyTasks("a").Select(t => t.Name));
        Assert.Equal("v", Assert.Single(storage.GetStudyTasks("b")).Worker);
        Assert.Throws<KeyNotFoundException>(() => storage.GetStudyTasks("nope"));
    }
}

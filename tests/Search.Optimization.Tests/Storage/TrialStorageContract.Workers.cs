using System.Collections.Concurrent;
using Search.Optimization.Samplers;
using Search.Optimization.Storage;
using Search.Optimization.Trials;

namespace Search.Optimization.Tests.Storage;

/// <summary>
/// Several workers (Study objects with their own identity and their own handle on the store) on
/// one study: heartbeats, takeovers after the grace, the trial budget, tasks done once.
/// </summary>
public abstract partial class TrialStorageContract
{
    /// <summary>Fast real-time beats and polls; the grace is only ever crossed by advancing a <see cref="ManualClock"/>.</summary>
    private static readonly HeartbeatSettings FastBeats = new(TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(5));

    /// <summary>Another machine: never judged dead by a process check, only by its silence.</summary>
    private static WorkerIdentity Remote(int k) => new($"worker-host-{k}", 1000 + k, 1);

    private Study Worker(ITrialStorage storage, int k, TimeProvider clock, string sampler = "random") =>
        Study.CreateOrResume(storage, TestData.Record("s", TestData.MixedSpace(), sampler, 5), TestData.MixedSpace(),
            SamplerFactory.Create(sampler), Remote(k), FastBeats, clock);

    [StoreFact]
    public void Given_a_worker_silent_for_less_than_the_grace_When_another_asks_Then_its_trial_is_left_alone()
    {
        var clock = new ManualClock();
        var storage = Open();
        var silent = Worker(storage, 1, clock).Ask();
        clock.Advance(TimeSpan.FromSeconds(59));
        var next = Worker(OpenConnected(storage), 2, clock).Ask();
        Assert.Equal((0, 1), (silent.Number, next.Number));
        Assert.Equal(Remote(1).ToString(), storage.GetTrial("s", 0).Worker);
    }

    [StoreFact]
    public void Given_a_worker_silent_past_the_grace_When_another_optimizes_Then_it_reruns_that_trial_with_the_same_number_and_params()
    {
        var clock = new ManualClock();
        var storage = Open();
        var gone = Worker(storage, 1, clock);
        gone.Optimize(_ => 1.0, 2);
        var abandoned = gone.Ask();
        clock.Advance(TimeSpan.FromSeconds(61));

        var rescuer = Worker(OpenConnected(storage), 2, clock);
        rescuer.Optimize(_ => 2.0, 3);

        var trials = storage.GetTrials("s");
        Assert.Equal([0, 1, 2], trials.Select(t => t.Number));
        Assert.All(trials, t => Assert.Equal(TrialState.Complete, t.State));
        Assert.Equal((rescuer.Worker, gone.Worker, 2.0), (trials[2].Worker, trials[2].UserAttr(UserAttrKeys.ReclaimedFrom), trials[2].Value));
        Assert.True(ParamSet.SequenceEquals(abandoned.Params, trials[2].Params));
        Assert.Equal(abandoned.Seed, trials[2].Seed);
        Assert.Throws<TrialTakenOverException>(() => gone.Tell(abandoned, 9.0));
        Assert.Equal(2.0, storage.GetTrial("s", 2).Value);
    }

    [StoreFact]
    public async Task Given_a_trial_running_When_time_passes_Then_its_worker_beats_and_a_later_worker_waits_instead_of_taking_it()
    {
        var clock = new ManualClock();
        var storage = Open();
        var other = OpenConnected(storage);
        using var release = new ManualResetEventSlim();
        var start = clock.UtcNow;
        var firstWorker = Worker(storage, 1, clock);
        var first = Task.Run(() => firstWorker.Optimize(trial =>
        {
            release.Wait(TimeSpan.FromSeconds(30));
            return 1.0;
        }, 1));

        // Two grace periods pass while trial 0 runs; the beats keep it with its worker.
        for (var step = 1; step <= 4; step++)
        {
            WaitUntil(() => storage.GetTrials("s") is [{ HeartbeatUtc: { } beat }] && beat == clock.UtcNow);
            clock.Advance(TimeSpan.FromSeconds(30));
        }
        var second = Task.Run(() => Worker(other, 2, clock).Optimize(_ => 2.0, 1));
        WaitUntil(() => storage.GetTrial("s", 0).HeartbeatUtc == clock.UtcNow);
        Assert.False(second.IsCompleted, "a worker with nothing to start must wait for the running trial");
        release.Set();
        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(30));

        var trial = Assert.Single(storage.GetTrials("s"));
        Assert.Equal((TrialState.Complete, 1.0, Remote(1).ToString()), (trial.State, trial.Value, trial.Worker));
        Assert.Null(trial.UserAttr(UserAttrKeys.ReclaimedFrom));
        Assert.Equal(start.AddMinutes(2), trial.HeartbeatUtc);
    }

    [StoreFact]
    public void Given_four_workers_on_one_study_When_they_optimize_together_Then_exactly_the_budget_is_run_once_each()
    {
        const int total = 16;
        var storage = Open();
        var space = TestData.MixedSpace();
        Worker(storage, 0, TimeProvider.System).EnqueueBaselines();
        var runs = new ConcurrentBag<int>();
        var workers = Enumerable.Range(0, 4).Select(k => Worker(k == 0 ? storage : OpenConnected(storage), k, TimeProvider.System)).ToList();

        Parallel.ForEach(workers, new ParallelOptions { MaxDegreeOfParallelism = workers.Count }, worker => worker.Optimize(trial =>
        {
            runs.Add(trial.Number);
            Thread.Sleep(2);
            return TestData.SyntheticLoss(trial.Params);
        }, total));

        var trials = storage.GetTrials("s");
        Assert.Equal(Enumerable.Range(0, total), trials.Select(t => t.Number));
        Assert.All(trials, t => Assert.Equal(TrialState.Complete, t.State));
        Assert.Equal(Enumerable.Range(0, total), runs.Order());
        Assert.Equal(total, trials.Select(t => ParamSet.Describe(t.Params)).Distinct().Count());
        Assert.Equal(["flap"], trials.Select(t => t.UserAttr(UserAttrKeys.Baseline)).OfType<string>());
        Assert.Equal("flap", trials[0].UserAttr(UserAttrKeys.Baseline));
    }

    [StoreFact]
    public void Given_four_workers_When_all_run_the_finalize_task_Then_it_runs_once_and_every_worker_returns()
    {
        var storage = Open();
        var workers = Enumerable.Range(0, 4).Select(k => Worker(k == 0 ? storage : OpenConnected(storage), k, TimeProvider.System)).ToList();
        var runs = 0;
        var completedByMe = new ConcurrentBag<bool>();

        Parallel.ForEach(workers, new ParallelOptions { MaxDegreeOfParallelism = workers.Count }, worker =>
            completedByMe.Add(worker.RunOnce(Study.FinalizeTask, _ =>
            {
                Interlocked.Increment(ref runs);
                Thread.Sleep(100);
            })));

        Assert.Equal(1, runs);
        Assert.Equal(1, completedByMe.Count(x => x));
        Assert.Equal(StudyTaskState.Complete, storage.GetStudyTask("s", Study.FinalizeTask)!.State);
    }

    [StoreFact]
    public async Task Given_a_finalize_holder_silent_past_the_grace_When_another_worker_waits_Then_it_takes_over_and_completes()
    {
        var clock = new ManualClock();
        var storage = Open();
        var gone = Worker(storage, 1, clock);
        Assert.True(storage.TryClaimStudyTask("s", Study.FinalizeTask, gone.Worker, clock.UtcNow));

        var rescuer = Worker(OpenConnected(storage), 2, clock);
        var ran = false;
        var waiting = Task.Run(() => rescuer.RunOnce(Study.FinalizeTask, _ => ran = true));
        Thread.Sleep(100);
        Assert.False(waiting.IsCompleted, "the holder is within its grace: wait");
        clock.Advance(TimeSpan.FromSeconds(61));
        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(30)), "the rescuer completed the task");
        Assert.True(ran);
        var task = storage.GetStudyTask("s", Study.FinalizeTask)!;
        Assert.Equal((StudyTaskState.Complete, rescuer.Worker), (task.State, task.Worker));
        Assert.False(gone.RunOnce(Study.FinalizeTask, _ => throw new InvalidOperationException("must not run again")));
    }

    [StoreFact]
    public void Given_a_finalize_whose_work_throws_When_run_Then_the_claim_is_released_for_the_next_worker()
    {
        var storage = Open();
        var first = Worker(storage, 1, TimeProvider.System);
        var error = Assert.Throws<InvalidOperationException>(() => first.RunOnce(Study.FinalizeTask, _ => throw new InvalidOperationException("disk full")));
        Assert.Equal("disk full", error.Message);
        Assert.Null(storage.GetStudyTask("s", Study.FinalizeTask));
        Assert.True(Worker(OpenConnected(storage), 2, TimeProvider.System).RunOnce(Study.FinalizeTask, _ => { }));
    }

    private static void WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met within 30 s");
            Thread.Sleep(5);
        }
    }
}

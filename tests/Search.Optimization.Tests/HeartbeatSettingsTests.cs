using Search.Optimization.Samplers;
using Search.Optimization.Storage;
using Search.Optimization.Trials;

namespace Search.Optimization.Tests;

public sealed class HeartbeatSettingsTests
{
    private static readonly DateTime Now = new(2026, 5, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Given_a_holder_When_judged_Then_silence_past_the_grace_or_a_dead_local_process_means_gone()
    {
        var settings = HeartbeatSettings.Default;
        var remote = new WorkerIdentity("elsewhere", 1, 1).ToString();
        Assert.False(settings.IsAbandoned(remote, Now.AddSeconds(-60), Now));
        Assert.True(settings.IsAbandoned(remote, Now.AddSeconds(-61), Now));
        Assert.True(settings.IsAbandoned(TestData.DeadWorker.ToString(), Now, Now));
        Assert.False(settings.IsAbandoned(WorkerIdentity.Current.ToString(), Now, Now));
        Assert.False(settings.IsAbandoned("not-a-worker-id", Now.AddSeconds(-30), Now));
    }

    [Theory]
    [InlineData(0, 60, 2, "interval must be positive")]
    [InlineData(10, 60, 0, "poll interval must be positive")]
    [InlineData(40, 60, 2, "at least twice the interval")]
    public void Given_settings_that_would_hand_live_trials_away_When_a_study_opens_Then_one_line_refuses_them(int interval, int grace, int poll, string expected)
    {
        var settings = new HeartbeatSettings(TimeSpan.FromSeconds(interval), TimeSpan.FromSeconds(grace), TimeSpan.FromSeconds(poll));
        var error = Assert.Throws<OptimizationInputException>(() =>
            Study.CreateOrResume(new InMemoryStorage(), TestData.Record("s", TestData.MixedSpace(), "random", 1), TestData.MixedSpace(), new RandomSampler(), heartbeat: settings));
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Given_a_worker_waiting_for_another_ones_trial_When_cancelled_Then_it_stops_waiting_and_the_trial_stays_with_its_holder()
    {
        using var storage = new InMemoryStorage();
        var beats = new HeartbeatSettings(TimeSpan.FromMilliseconds(20), TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(10));
        var holder = Study.CreateOrResume(storage, TestData.Record("s", TestData.MixedSpace(), "random", 1), TestData.MixedSpace(), new RandomSampler(),
            new WorkerIdentity("elsewhere", 1, 1), beats);
        var running = holder.Ask();
        var waiter = Study.CreateOrResume(storage, TestData.Record("s", TestData.MixedSpace(), "random", 1), TestData.MixedSpace(), new RandomSampler(),
            new WorkerIdentity("here", 2, 2), beats);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        Assert.ThrowsAny<OperationCanceledException>(() => waiter.Optimize(_ => 1.0, 1, cancel.Token));
        Assert.Equal((TrialState.Running, holder.Worker), (storage.GetTrial("s", running.Number).State, storage.GetTrial("s", running.Number).Worker));
        Assert.Single(storage.GetTrials("s"));
    }
}

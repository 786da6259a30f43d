using Search.Optimization.Samplers;
using Search.Optimization.Storage;
using Search.Optimization.Tests.Storage;
using Search.Optimization.Trials;

namespace Search.Optimization.Tests;

public sealed class StudyTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Given_an_objective_returning_NaN_When_optimizing_Then_that_trial_fails_with_the_reason_and_the_study_continues()
    {
        using var storage = new InMemoryStorage();
        var study = TestData.NewStudy(storage, TestData.MixedSpace(), new RandomSampler(), 1);
        study.Optimize(trial => trial.Number == 2 ? double.NaN : trial.Number == 3 ? double.PositiveInfinity : 1.0 + trial.Number, 6);
        var trials = study.Trials;
        Assert.Equal(6, trials.Count);
        Assert.Equal((TrialState.Failed, "objective returned NaN"), (trials[2].State, trials[2].Error));
        Assert.Equal((TrialState.Failed, "objective returned Infinity"), (trials[3].State, trials[3].Error));
        Assert.All(trials.Where(t => t.Number is not (2 or 3)), t => Assert.Equal(TrialState.Complete, t.State));
        Assert.Equal(0, study.BestTrial!.Number);
    }

    [Fact]
    public void Given_an_objective_that_throws_When_optimizing_Then_the_trial_fails_with_the_message_and_the_search_goes_on()
    {
        using var storage = new InMemoryStorage();
        var study = TestData.NewStudy(storage, TestData.MixedSpace(), new RandomSampler(), 1);
        study.Optimize(trial => trial.Number == 1 ? throw new InvalidOperationException("CUDA out of memory\nstack...") : 2.0, 3);
        Assert.Equal([TrialState.Complete, TrialState.Failed, TrialState.Complete], study.Trials.Select(t => t.State));
        Assert.Equal("InvalidOperationException: CUDA out of memory", study.Trials[1].Error);
    }

    [Fact]
    public void Given_a_pruned_outcome_When_told_Then_the_trial_is_pruned_and_never_best()
    {
        using var storage = new InMemoryStorage();
        var study = TestData.NewStudy(storage, TestData.MixedSpace(), new RandomSampler(), 1);
        study.Optimize(trial => trial.Number == 0 ? TrialOutcome.Pruned(0.1) : TrialOutcome.Completed(5.0), 2);
        Assert.Equal(TrialState.Pruned, study.Trials[0].State);
        Assert.Equal(1, study.BestTrial!.Number);
    }

    [Fact]
    public void Given_Ask_When_it_returns_Then_the_trial_is_already_stored_as_running_with_its_params()
    {
        using var storage = new InMemoryStorage();
        var study = TestData.NewStudy(storage, TestData.MixedSpace(), new RandomSampler(), 1);
        var trial = study.Ask();
        var stored = storage.GetTrial("s", trial.Number);
        Assert.Equal(TrialState.Running, stored.State);
        Assert.True(ParamSet.SequenceEquals(trial.Params, stored.Params));
        trial.SetUserAttr("plan", "{}");
        Assert.Equal("{}", storage.GetTrial("s", 0).UserAttr("plan"));
        study.Tell(trial, 3.0, [new TrialScore("ppl", 3.0, "validation", 1024, 128, "prepend")]);
        Assert.Equal(3.0, study.BestTrial!.Value);
    }

    [Fact]
    public void Given_a_total_budget_When_Optimize_is_called_again_Then_it_only_tops_the_study_up()
    {
        using var storage = new InMemoryStorage();
        var study = TestData.NewStudy(storage, TestData.MixedSpace(), new RandomSampler(), 1);
        study.Optimize(_ => 1.0, 5);
        study.Optimize(_ => 1.0, 5);
        Assert.Equal(5, study.Trials.Count);
        study.Optimize(_ => 1.0, 8);
        Assert.Equal(Enumerable.Range(0, 8), study.Trials.Select(t => t.Number));
    }

    [Fact]
    public void Given_enqueued_baselines_When_asking_Then_they_come_first_with_their_tag_and_enqueueing_again_adds_nothing()
    {
        using var storage = new InMemoryStorage();
        var space = TestData.MixedSpace();
        var study = TestData.NewStudy(storage, space, new GpSampler(), 1);
        Assert.Equal(1, study.EnqueueBaselines());
        var handSet = ParamSet.Freeze(space.Sample(new Random(9)));
        Assert.True(study.Enqueue(handSet, "mine"));
        Assert.Equal(0, study.EnqueueBaselines());
        Assert.False(study.Enqueue(handSet, "mine"));

        study.Optimize(trial => TestData.SyntheticLoss(trial.Params), 4);
        var trials = study.Trials;
        Assert.Equal(["flap", "mine", null, null], trials.Select(t => t.UserAttr(UserAttrKeys.Baseline)));
        Assert.Equal(ParamValue.Of(1024L), trials[0].Params["samples"]);
        Assert.Equal(ParamValue.Of("al-am"), trials[0].Params["structure"]);
        Assert.True(ParamSet.SequenceEquals(handSet, trials[1].Params));
    }

    [Fact]
    public void Given_an_existing_study_When_resumed_with_another_model_hash_Then_a_one_line_error_names_the_difference()
    {
        using var storage = new InMemoryStorage();
        var space = TestData.MixedSpace();
        Study.CreateOrResume(storage, TestData.Record("s", space, "random", 1), space, new RandomSampler());
        var error = Assert.Throws<OptimizationInputException>(() =>
            Study.CreateOrResume(storage, TestData.Record("s", space, "random", 1, modelHash: "sha256:other"), space, new RandomSampler()));
        Assert.Equal("study 's' already exists with a different model hash (stored sha256:abc, given sha256:other); use a new study name", error.Message);
    }

    [Fact]
    public void Given_a_running_trial_of_a_live_worker_elsewhere_When_asking_Then_it_is_left_alone()
    {
        using var storage = new InMemoryStorage();
        var space = TestData.MixedSpace();
        var elsewhere = WorkerIdentity.Current with { Host = "other-host" };
        var first = TestData.NewStudy(storage, space, new RandomSampler(), 1, worker: elsewhere);
        var running = first.Ask();
        var second = TestData.NewStudy(storage, space, new RandomSampler(), 1);
        var next = second.Ask();
        Assert.Equal((0, 1), (running.Number, next.Number));
        Assert.Equal(elsewhere.ToString(), storage.GetTrial("s", 0).Worker);
    }

    public static TheoryData<string> SamplerNames => new() { "random", "gp", "evolutionary" };

    [Theory]
    [MemberData(nameof(SamplerNames))]
    public void Given_a_crash_leaving_a_running_trial_When_the_file_is_reopened_and_finished_Then_the_trials_equal_an_uninterrupted_run(string samplerName)
    {
        var space = samplerName == "evolutionary" ? TestData.DarwinSpace() : TestData.MixedSpace();
        ISampler Sampler() => samplerName == "gp" ? new GpSampler(new GpSamplerSettings(StartupTrials: 3, RandomCandidates: 64)) : SamplerFactory.Create(samplerName);
        double Objective(Trial trial) => TestData.SyntheticLoss(trial.Params);

        List<string> uninterrupted;
        using (var storage = new LiteDbStorage(_directory.File("straight.db")))
        {
            var study = TestData.NewStudy(storage, space, Sampler(), seed: 21);
            study.EnqueueBaselines();
            study.Optimize(Objective, 10);
            uninterrupted = TestData.Describe(study.Trials);
        }

        var path = _directory.File("crashed.db");
        int crashedNumber;
        using (var storage = new LiteDbStorage(path))
        {
            var doomed = TestData.NewStudy(storage, space, Sampler(), seed: 21, worker: TestData.DeadWorker);
            doomed.EnqueueBaselines();
            doomed.Optimize(Objective, 4);
            crashedNumber = doomed.Ask().Number; // the process "dies" while evaluating trial 5
        }

        using (var storage = new LiteDbStorage(path))
        {
            var resumed = TestData.NewStudy(storage, space, Sampler(), seed: 21);
            resumed.EnqueueBaselines();
            Assert.Equal(TrialState.Running, resumed.Trials[crashedNumber].State);
            resumed.Optimize(Objective, 10);
            var trials = resumed.Trials;
            Assert.Equal(uninterrupted, TestData.Describe(trials));
            Assert.Equal(Enumerable.Range(0, 10), trials.Select(t => t.Number));
            Assert.All(trials, t => Assert.Equal(TrialState.Complete, t.State));
            Assert.Equal(TestData.DeadWorker.ToString(), trials[crashedNumber].UserAttr(UserAttrKeys.ReclaimedFrom));
        }
    }

    [Fact]
    public void Given_a_stored_study_When_resumed_by_name_only_Then_it_continues_exactly_like_an_uninterrupted_run()
    {
        var space = TestData.DarwinSpace(layers: 5);
        List<string> uninterrupted;
        using (var storage = new InMemoryStorage())
        {
            var study = TestData.NewStudy(storage, space, new EvolutionarySampler(), seed: 4);
            study.Optimize(trial => TestData.SyntheticLoss(trial.Params), 20);
            uninterrupted = TestData.Describe(study.Trials);
        }
        var path = _directory.File("by-name.db");
        using (var storage = new LiteDbStorage(path))
            TestData.NewStudy(storage, space, new EvolutionarySampler(), seed: 4).Optimize(trial => TestData.SyntheticLoss(trial.Params), 12);
        using (var storage = new LiteDbStorage(path))
        {
            var resumed = Study.Resume(storage, "s");
            Assert.Equal(5, resumed.Space.LayerCount);
            resumed.Optimize(trial => TestData.SyntheticLoss(trial.Params), 20);
            Assert.Equal(uninterrupted, TestData.Describe(resumed.Trials));
            Assert.Throws<OptimizationInputException>(() => Study.Resume(storage, "missing"));
        }
    }
}

using Search.Optimization.Samplers;
using Search.Optimization.Spaces;
using Search.Optimization.Storage;
using Search.Optimization.Trials;

namespace Search.Optimization.Tests.Samplers;

public sealed class GpStartupDesignTests
{
    private static readonly SearchSpace Space = SearchSpace.Parse("""
        { "name": "design", "params": [
            { "name": "structure", "kind": "categorical", "choices": ["al-am", "per-layer", "ul-um"] },
            { "name": "compensation", "kind": "categorical", "choices": ["bias", "none", "ls", "ls-seq"] },
            { "name": "samples", "kind": "int", "low": 16, "high": 256, "log": true },
            { "name": "x", "kind": "float", "low": 0, "high": 1 },
            { "name": "mix", "kind": "simplex", "components": ["wifv", "wifn", "ifv"] },
            { "name": "attention_ratios", "kind": "layer_ratios", "module": "attention", "levels": { "min": 0.0, "max": 0.8, "step": 0.1 }, "target": 0.3 },
            { "name": "fixed", "kind": "fixed", "value": "bias" } ] }
        """).BindLayerCount(6);

    private static IReadOnlyDictionary<string, ParamValue> Baseline(int k) => ParamSet.Freeze([
        KeyValuePair.Create("structure", ParamValue.Of("al-am")), KeyValuePair.Create("compensation", ParamValue.Of("bias")),
        KeyValuePair.Create("samples", ParamValue.Of(32L + k)), KeyValuePair.Create("x", ParamValue.Of(0.1 * k)),
        KeyValuePair.Create("mix", ParamValue.Of([1.0, 0.0, 0.0])), KeyValuePair.Create("attention_ratios", ParamValue.Of(Enumerable.Repeat(0.3, 6).ToArray())),
        KeyValuePair.Create("fixed", ParamValue.Of("bias"))]);

    private static Study StudyWithBaselines(InMemoryStorage storage, int baselines, GpSamplerSettings? settings = null)
    {
        var study = TestData.NewStudy(storage, Space, new GpSampler(settings ?? new GpSamplerSettings(StartupTrials: 8, RandomCandidates: 64, FitIterations: 20)), seed: 4);
        for (var k = 0; k < baselines; k++) study.Enqueue(Baseline(k), $"hand-set-{k}");
        return study;
    }

    [Fact]
    public void Given_eight_enqueued_baselines_When_the_gp_starts_Then_its_own_startup_design_still_runs_in_full_and_tries_the_missing_branches_first()
    {
        using var storage = new InMemoryStorage();
        var study = StudyWithBaselines(storage, 8);
        study.Optimize(trial => TestData.SyntheticLoss(trial.Params), 8 + 8);
        var own = study.Trials.Skip(8).ToList();

        // Every baseline sits in al-am / bias: the first own trials take the other choices, and every
        // choice of every categorical appears within as many trials as the categorical has choices.
        Assert.NotEqual("al-am", own[0].Params["structure"].AsText);
        Assert.NotEqual("al-am", own[1].Params["structure"].AsText);
        Assert.Equal(["ls", "ls-seq", "none"], own.Take(3).Select(t => t.Params["compensation"].AsText).Order());
        Assert.Equal(3, own.Take(2).Select(t => t.Params["structure"].AsText).Append("al-am").Distinct().Count());
        // Balanced once the baselines are counted: the eight bias and al-am points are not added to
        // before the other choices have caught up.
        Assert.Equal(8, own.Count);
        Assert.DoesNotContain(own, t => t.Params["compensation"].AsText == "bias" || t.Params["structure"].AsText == "al-am");
        Assert.All(own.GroupBy(t => t.Params["compensation"].AsText), g => Assert.InRange(g.Count(), 2, 3));
        Assert.All(own.GroupBy(t => t.Params["structure"].AsText), g => Assert.Equal(4, g.Count()));
    }

    [Fact]
    public void Given_the_startup_design_Then_numeric_coordinates_form_a_latin_hypercube_and_every_value_is_feasible()
    {
        var engine = new GpEngine(new GpSamplerSettings(StartupTrials: 10));
        var size = engine.StartupSize(Space);
        Assert.Equal(10, size);
        var points = Enumerable.Range(0, size).Select(i => engine.DesignPoint(Space, [], i, seed: 7, purpose: "test")).ToList();

        Assert.Equal(Enumerable.Range(0, size), points.Select(p => (int)Math.Floor(p["x"].AsReal * size)).Order());
        var mixSticks = points.Select(p => { var e = new double[2]; ((SimplexDimension)Space["mix"]).TryEncode(p["mix"], e); return e[0]; });
        Assert.Equal(Enumerable.Range(0, size), mixSticks.Select(v => (int)Math.Floor((1 - Math.Pow(1 - v, 2)) * size)).Order());
        Assert.All(points, p => Assert.NotNull(Space.TryEncode(p)));
        var ratios = (LayerRatiosDimension)Space["attention_ratios"];
        Assert.All(points, p => Assert.True(ratios.MeetsBudget(ratios.ToLevels(p["attention_ratios"])!)));
        Assert.All(points, p => Assert.Equal(ParamValue.Of("bias"), p["fixed"]));
        // The same index gives the same point: the design is a function of (space, covered, index, seed).
        Assert.True(ParamSet.SequenceEquals(points[3], engine.DesignPoint(Space, [], 3, seed: 7, purpose: "test")));
    }

    [Fact]
    public void Given_a_categorical_with_more_choices_than_startup_trials_Then_the_design_grows_to_cover_them()
    {
        var space = SearchSpace.Parse("""
            { "params": [ { "name": "c", "kind": "categorical", "choices": [1, 2, 3, 4, 5, 6] }, { "name": "x", "kind": "float", "low": 0, "high": 1 } ] }
            """);
        var engine = new GpEngine(new GpSamplerSettings(StartupTrials: 4));
        Assert.Equal(6, engine.StartupSize(space));
        var covered = new List<IReadOnlyDictionary<string, ParamValue>>();
        for (var i = 0; i < 6; i++) covered.Add(engine.DesignPoint(space, covered, i, seed: 1, purpose: "test"));
        Assert.Equal([1L, 2, 3, 4, 5, 6], covered.Select(p => p["c"].AsInteger).Order());
    }

    [Fact]
    public void Given_the_trials_after_startup_Then_every_third_explores_a_categorical_in_rotation()
    {
        var space = Space;
        Assert.Null(GpSampler.ExploreDimension(space, 0, 3));
        Assert.Null(GpSampler.ExploreDimension(space, 1, 3));
        Assert.Equal("structure", GpSampler.ExploreDimension(space, 2, 3)!.Name);
        Assert.Equal("compensation", GpSampler.ExploreDimension(space, 5, 3)!.Name);
        Assert.Equal("structure", GpSampler.ExploreDimension(space, 8, 3)!.Name);
        Assert.Null(GpSampler.ExploreDimension(space, 2, 0));
    }

    [Fact]
    public void Given_an_exploration_trial_When_the_incumbent_is_in_one_branch_Then_the_proposal_takes_the_runner_up_choice()
    {
        using var storage = new InMemoryStorage();
        var settings = new GpSamplerSettings(StartupTrials: 8, RandomCandidates: 64, FitIterations: 20);
        var study = TestData.NewStudy(storage, Space, new GpSampler(settings), seed: 4);
        // bias is best, ls second: every exploration trial of "compensation" must propose ls.
        static double Loss(IReadOnlyDictionary<string, ParamValue> p) => p["compensation"].AsText switch
        {
            "bias" => 1.0, "ls" => 2.0, "none" => 5.0, _ => 6.0,
        } + p["x"].AsReal;
        var startup = new GpEngine(settings).StartupSize(Space);
        study.Optimize(trial => Loss(trial.Params), startup + 6);
        var afterStartup = study.Trials.Skip(startup).ToList();
        // Trial 2 after start-up explores "structure": not the incumbent's structure at that point.
        var incumbent = study.Trials.Take(startup + 2).Where(t => t.Value is not null).MinBy(t => t.Value)!;
        Assert.NotEqual(incumbent.Params["structure"], afterStartup[2].Params["structure"]);
        // Trial 5 explores "compensation": the runner-up choice.
        Assert.Equal("ls", afterStartup[5].Params["compensation"].AsText);
    }
}

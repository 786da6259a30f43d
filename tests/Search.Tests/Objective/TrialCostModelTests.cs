using Search.Objective;
using Search.Optimization.Samplers;
using Search.Optimization.Spaces;
using Search.Optimization.Trials;
using Search.Records;

namespace Search.Tests.Objective;

/// <summary>
/// Cost-aware proposals (issue 18): a candidate's expected seconds come from the stored timings, and a
/// candidate that needs a new calibration pool (or more windows of one) is charged its dense pass.
/// </summary>
public sealed class TrialCostModelTests
{
    private static readonly IReadOnlyList<string> Mix = TrialParams.DefaultMixComponents;

    private static Dictionary<string, ParamValue> Config(string source, int samples, int seed, string compensation = "bias", double[]? mix = null) => new()
    {
        ["calibration_source"] = ParamValue.Of(source),
        ["calibration_samples"] = ParamValue.Of((long)samples),
        ["calibration_seqlen"] = ParamValue.Of(128L),
        ["calibration_seed"] = ParamValue.Of((long)seed),
        ["metric_mix"] = ParamValue.Of(mix ?? [1.0, 0, 0, 0, 0]),
        ["compensation"] = ParamValue.Of(compensation),
    };

    private static FrozenTrial Trial(int number, Dictionary<string, ParamValue> parameters, TrialTimings? timings, TrialState state = TrialState.Complete) =>
        new(number, state, parameters, state == TrialState.Complete ? 10.0 : null, [],
            timings is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [TrialAttrs.Timings] = AttrJson.Serialize(timings) },
            null, DateTime.UnixEpoch, null, 0, "w");

    [Fact]
    public void Given_stored_timings_When_pricing_candidates_Then_a_new_pool_pays_its_dense_pass_and_a_refit_its_reconstruction()
    {
        var model = new TrialCostModel(poolSize: 128, proxyTokens: 2048, Mix);
        var history = new[]
        {
            // Pool (c4, 128, 0) to 16 windows: 2048 new tokens in 20.48 s of statistics -> 0.01 s per token.
            Trial(0, Config("c4", 16, 0), new TrialTimings(20.48, 1, 2, 27)),
            // Same pool, 32 windows: 2048 more tokens in 10.24 s (0.005 s/token; the larger rate stands).
            Trial(1, Config("c4", 32, 0), new TrialTimings(10.24, 1, 2, 27)),
            // Least squares on the collected pool: 50 s of refit, no pass.
            Trial(2, Config("c4", 16, 0, "ls"), new TrialTimings(0.01, 1, 2, 27, Reconstruction: 50)),
            // A Running trial (another worker) will have extended (wikitext2, 128, 1) to 64 windows.
            Trial(3, Config("wikitext2", 64, 1), null, TrialState.Running),
        };
        var cost = model.For(history)!;
        Assert.Equal(30, cost(Config("c4", 32, 0)), 9);                                 // collected: E only
        Assert.Equal(30 + 50, cost(Config("c4", 8, 0, "ls")), 9);                       // + R
        Assert.Equal(30 + 0.01 * 32 * 128, cost(Config("c4", 64, 0)), 9);               // windows 32..63
        Assert.Equal(30 + 0.01 * 128 * 128, cost(Config("tinystories", 128, 0)), 9);    // a new pool: all 128
        Assert.Equal(30 + 0.01 * 16 * 128, cost(Config("c4", 16, 3)), 9);               // another seed is another pool
        Assert.Equal(30, cost(Config("wikitext2", 64, 1)), 9);
        Assert.Equal(30, cost(Config("tinystories", 128, 0, "none", [0, 0, 0, 0, 1.0])), 9); // magnitude, no compensation: no statistics
    }

    [Fact]
    public void Given_no_timed_trial_When_pricing_Then_there_is_no_cost_and_the_sampler_sees_none()
    {
        var model = new TrialCostModel(128, 2048, Mix);
        Assert.Null(model.For([Trial(0, Config("c4", 16, 0), null, TrialState.Running)]));
        var recorder = new Recorder();
        var sampler = new CostAwareSampler(recorder, model);
        Assert.Equal(recorder.Name, sampler.Name);
        var space = SearchSpace.Parse("""{ "name": "s", "params": [ { "name": "x", "kind": "float", "low": 0, "high": 1 } ] }""");
        sampler.Propose(new SamplingContext(space, [], 0, 0));
        Assert.Null(recorder.Seen!.Cost);
        sampler.Propose(new SamplingContext(space, [Trial(0, Config("c4", 16, 0), new TrialTimings(20.48, 1, 2, 27))], 0, 1));
        Assert.Equal(30 + 0.01 * 112 * 128, recorder.Seen!.Cost!(Config("c4", 128, 0)), 9);
    }

    [Fact]
    public void Given_EI_per_second_When_one_candidate_needs_a_new_pool_Then_it_must_promise_proportionally_more()
    {
        var model = new TrialCostModel(128, 2048, Mix);
        var cost = model.For([Trial(0, Config("c4", 16, 0), new TrialTimings(20.48, 1, 2, 27))])!;
        // The same EI for both: the candidate on the collected pool wins; the new pool's EI must be
        // (30 + 0.01·16·128) / 30 ≈ 1.68 times larger to tie.
        Func<IReadOnlyDictionary<string, ParamValue>, double> ei = c => c["calibration_source"].AsText == "c4" ? 1.0 : 1.68;
        var perSecond = ProposalCosts.PerSecond(ei, cost);
        Assert.True(perSecond(Config("c4", 16, 0)) > perSecond(Config("tinystories", 16, 0)));
        Func<IReadOnlyDictionary<string, ParamValue>, double> ei2 = c => c["calibration_source"].AsText == "c4" ? 1.0 : 1.69;
        Assert.True(ProposalCosts.PerSecond(ei2, cost)(Config("c4", 16, 0)) < ProposalCosts.PerSecond(ei2, cost)(Config("tinystories", 16, 0)));
    }

    private sealed class Recorder : ISampler
    {
        public SamplingContext? Seen;
        public string Name => "recorder";

        public Proposal Propose(SamplingContext context)
        {
            Seen = context;
            return Proposal.Of(context.Space.Sample(new Random(0)));
        }
    }
}

using Search.Optimization.Spaces;
using Search.Optimization.Trials;

namespace Search.Optimization.Samplers;

/// <summary>
/// Gaussian-process Bayesian optimization (minimization) with expected improvement, robust to its
/// warm start (issue 11).
/// <list type="bullet">
/// <item>Inputs: the space's [0,1] encoding (one-hot categoricals, log dims in log space, simplex as
/// stick-breaking fractions, layer ratios as level fractions). Trials whose params fall outside
/// the space (hand-set baselines with off-range values or an overridden fixed value) are left out of the fit.</item>
/// <item>Enqueued baselines (and any queued config) inform the fit but are not start-up trials: the
/// sampler always runs its own start-up design first (<see cref="GpEngine.DesignPoint"/>), which tries
/// every choice of every categorical — least-covered first, so branches no baseline sits in come
/// first — and fills numeric dimensions by a Latin hypercube.</item>
/// <item>After start-up EI is maximized in every categorical branch on its own, and every
/// <see cref="GpSamplerSettings.BranchExplorationEvery"/>-th trial takes the best branch that is not the
/// incumbent's (one categorical at a time, in rotation), so a good branch far from the baselines
/// is still reached.</item>
/// <item>Failed trials are kept, with the worst Complete value: a NaN perplexity usually means the
/// region is bad (over-pruned), and leaving it out would let EI propose it again. Pruned trials are
/// left out: their value came from a cheaper fidelity. Running trials (other workers') condition the
/// GP at the mean value (constant liar), so concurrent asks do not all land on one point.</item>
/// <item>With a cost (<see cref="SamplingContext.Cost"/>, <c>search --cost-aware</c>) EI is divided by the
/// candidate's expected seconds: expected improvement per second (docs/methods.md).</item>
/// <item>Every candidate, including layer-ratio vectors, meets the budget by construction (the
/// dimensions' own sampling and perturbations).</item>
/// </list>
/// A pure function of (space, history, seed, trial number).
/// </summary>
public sealed class GpSampler(GpSamplerSettings? settings = null) : ISampler
{
    public const string SamplerName = "gp";

    private readonly GpSamplerSettings _settings = settings ?? new GpSamplerSettings();

    public string Name => SamplerName;

    public Proposal Propose(SamplingContext context)
    {
        var rng = TrialRandom.For(context.Seed, context.TrialNumber, "gp");
        var space = context.Space;
        if (space.EncodedWidth == 0) return Proposal.Of(space.Sample(rng));
        var engine = new GpEngine(_settings);
        var observations = GpObservation.FromHistory(space, context.History, _settings.PendingAsLiar);
        var complete = observations.Count(o => o.Kind == ObservationKind.Complete);

        if (_settings.CountBaselinesAsStartup)
        {
            if (complete < Math.Max(2, _settings.StartupTrials))
                return Proposal.Of(_settings.StratifiedStartup ? Design(engine, context, complete) : space.Sample(rng));
            return Proposal.Of(engine.Maximize(space, observations, rng, cost: context.Cost)!);
        }

        var own = context.History.Count(IsOwn);
        var startup = engine.StartupSize(space);
        if (own < startup || complete == 0)
            return Proposal.Of(_settings.StratifiedStartup ? Design(engine, context, own) : space.Sample(rng));

        var afterStartup = own - startup;
        var explore = ExploreDimension(space, afterStartup, _settings.BranchExplorationEvery);
        return Proposal.Of(engine.Maximize(space, observations, rng, explore, context.Cost)!);
    }

    /// <summary>Trials this sampler proposed: everything but enqueued configs (baselines).</summary>
    internal static bool IsOwn(FrozenTrial trial) =>
        trial.UserAttr(UserAttrKeys.Baseline) is null && trial.UserAttr(UserAttrKeys.QueueIndex) is null;

    /// <summary>The categorical whose non-incumbent branch trial <paramref name="afterStartup"/> explores, or null for a plain EI trial.</summary>
    internal static CategoricalDimension? ExploreDimension(SearchSpace space, int afterStartup, int every)
    {
        if (every <= 0 || afterStartup % every != every - 1) return null;
        var dimensions = GpEngine.BranchDimensions(space);
        return dimensions.Length == 0 ? null : dimensions[afterStartup / every % dimensions.Length];
    }

    private static IReadOnlyDictionary<string, ParamValue> Design(GpEngine engine, SamplingContext context, int index) =>
        engine.DesignPoint(context.Space, Covered(context.Space, context.History), index, context.Seed, "gp");

    /// <summary>Param sets of the in-space trials in any state: what the start-up design balances its categoricals against.</summary>
    internal static List<IReadOnlyDictionary<string, ParamValue>> Covered(SearchSpace space, IEnumerable<FrozenTrial> history) =>
        history.Where(t => t.State != TrialState.Pruned && GpObservation.Encode(space, t.Params) is not null).Select(t => t.Params).ToList();
}

using Search.Optimization.Gp;
using Search.Optimization.Spaces;
using Search.Optimization.Trials;

namespace Search.Optimization.Samplers;

/// <summary>
/// Gaussian-process Bayesian optimization (minimization) with expected improvement.
/// <list type="bullet">
/// <item>Inputs: the space's [0,1] encoding (one-hot categoricals, log dims in log space, simplex as
/// stick-breaking fractions, layer ratios as level fractions). Trials whose params fall outside
/// the space (hand-set baselines with off-range values) are left out of the fit.</item>
/// <item>Failed trials are kept, with the worst Complete value: a NaN perplexity usually means the
/// region is bad (over-pruned), and leaving it out would let EI propose it again. Pruned trials are
/// left out: their value came from a cheaper fidelity.</item>
/// <item>EI is maximized over random feasible candidates plus neighbours of the best points, then
/// the top few are hill-climbed with the dimensions' own perturbations, so every candidate,
/// including layer-ratio vectors, meets the budget by construction.</item>
/// </list>
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
        var observations = Observations(space, context.History);
        if (observations.Count(o => o.IsComplete) < Math.Max(2, _settings.StartupTrials) || space.EncodedWidth == 0)
            return Proposal.Of(space.Sample(rng));

        var inputs = observations.Select(o => o.Encoded).ToArray();
        var targets = Standardize(observations.Select(o => o.Value).ToArray());
        var gp = GaussianProcess.Fit(inputs, targets, rng, new HyperparameterSearch(_settings.FitRestarts, _settings.FitIterations));
        var best = targets.Min();

        double Score(IReadOnlyDictionary<string, ParamValue> candidate)
        {
            var encoded = space.TryEncode(candidate);
            if (encoded is null) return double.NegativeInfinity;
            var (mean, variance) = gp.Predict(encoded);
            return ExpectedImprovement.Evaluate(mean, variance, best, _settings.Exploration);
        }

        var candidates = new List<(IReadOnlyDictionary<string, ParamValue> Params, double Ei)>();
        for (var i = 0; i < _settings.RandomCandidates; i++)
        {
            var candidate = space.Sample(rng);
            candidates.Add((candidate, Score(candidate)));
        }
        var incumbents = observations.Where(o => o.IsComplete).OrderBy(o => o.Value).Take(3).ToArray();
        foreach (var incumbent in incumbents)
            for (var i = 0; i < _settings.NeighboursOfBest; i++)
            {
                var candidate = Perturb(space, incumbent.Params, rng, 0.1);
                candidates.Add((candidate, Score(candidate)));
            }

        var top = candidates.OrderByDescending(c => c.Ei).Take(_settings.RefinedCandidates).ToList();
        var winner = top[0];
        foreach (var start in top)
        {
            var current = start;
            for (var step = 0; step < _settings.RefinementSteps; step++)
            {
                // Step size decays from 0.1 to 0.005 of the unit range over the refinement.
                var scale = 0.1 * Math.Pow(0.05, step / (double)Math.Max(1, _settings.RefinementSteps - 1));
                var neighbour = Perturb(space, current.Params, rng, scale);
                var ei = Score(neighbour);
                if (ei > current.Ei) current = (neighbour, ei);
            }
            if (current.Ei > winner.Ei) winner = current;
        }
        return Proposal.Of(winner.Params);
    }

    private sealed record Observation(IReadOnlyDictionary<string, ParamValue> Params, double[] Encoded, double Value, bool IsComplete);

    private static List<Observation> Observations(SearchSpace space, IReadOnlyList<FrozenTrial> history)
    {
        var complete = new List<Observation>();
        var failed = new List<(IReadOnlyDictionary<string, ParamValue> Params, double[] Encoded)>();
        foreach (var trial in history.OrderBy(t => t.Number))
        {
            var encoded = space.TryEncode(trial.Params);
            if (encoded is null) continue;
            if (trial.State == TrialState.Complete && trial.Value is { } value && double.IsFinite(value))
                complete.Add(new Observation(trial.Params, encoded, value, true));
            else if (trial.State == TrialState.Failed)
                failed.Add((trial.Params, encoded));
        }
        if (complete.Count == 0) return complete;
        var worst = complete.Max(o => o.Value);
        return [.. complete, .. failed.Select(f => new Observation(f.Params, f.Encoded, worst, false))];
    }

    private static double[] Standardize(double[] values)
    {
        var mean = values.Average();
        var sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length);
        if (sd < 1e-12) sd = 1.0;
        return values.Select(v => (v - mean) / sd).ToArray();
    }

    private static IReadOnlyDictionary<string, ParamValue> Perturb(SearchSpace space, IReadOnlyDictionary<string, ParamValue> parameters, Random rng, double scale) =>
        ParamSet.Freeze(space.Dimensions.Select(d => KeyValuePair.Create(d.Name, d.Perturb(parameters[d.Name], rng, scale))));
}

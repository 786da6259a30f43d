using Search.Optimization.Gp;
using Search.Optimization.Spaces;
using Search.Optimization.Trials;

namespace Search.Optimization.Samplers;

/// <summary>
/// The GP machinery shared by <see cref="GpSampler"/> and the low-dimensional half of
/// <see cref="HybridSampler"/>: the start-up design, and EI maximization that searches every
/// categorical branch on its own. Stateless; every call is a function of its arguments.
/// </summary>
internal sealed class GpEngine(GpSamplerSettings settings)
{
    public GpSamplerSettings Settings => settings;

    /// <summary>Searched categorical dimensions with a real choice, in space order: the branches the search must not lose.</summary>
    public static CategoricalDimension[] BranchDimensions(SearchSpace space) =>
        space.Dimensions.OfType<CategoricalDimension>().Where(c => c.Choices.Count > 1).ToArray();

    /// <summary>
    /// Trials of the start-up design: <see cref="GpSamplerSettings.StartupTrials"/> (at least 2), and at
    /// least as many as the largest categorical has choices, so every choice is tried on its own.
    /// </summary>
    public int StartupSize(SearchSpace space) =>
        Math.Max(Math.Max(2, settings.StartupTrials), BranchDimensions(space).Select(c => c.Choices.Count).DefaultIfEmpty(0).Max());

    /// <summary>
    /// Point <paramref name="index"/> of the start-up design. Each categorical takes its choice seen
    /// least often among <paramref name="covered"/> (the in-space trials so far, baselines and Running ones
    /// included; ties broken at random), so branches no baseline sits in come first and every choice is
    /// tried within as many points as it has choices. Numeric and simplex coordinates follow a Latin
    /// hypercube over blocks of <see cref="StartupSize"/> points (point i is stratum perm_c[i mod N] of
    /// coordinate c, perm drawn per block). Layer-ratio vectors are drawn.
    /// </summary>
    public IReadOnlyDictionary<string, ParamValue> DesignPoint(SearchSpace space, IReadOnlyList<IReadOnlyDictionary<string, ParamValue>> covered,
        int index, int seed, string purpose)
    {
        var size = StartupSize(space);
        var block = index / size;
        var position = index % size;
        var jitter = TrialRandom.For(seed, index, purpose + "-design-jitter");
        var draw = TrialRandom.For(seed, index, purpose + "-design-draw");
        var values = new List<KeyValuePair<string, ParamValue>>(space.Dimensions.Count);
        var coordinate = 0;
        foreach (var dimension in space.Dimensions)
        {
            if (dimension is CategoricalDimension { Choices.Count: > 1 } categorical)
            {
                values.Add(KeyValuePair.Create(dimension.Name, LeastCovered(categorical, covered, TrialRandom.For(seed, index, $"{purpose}-design-{dimension.Name}"))));
                continue;
            }
            var unit = new double[dimension.DesignWidth];
            for (var i = 0; i < unit.Length; i++, coordinate++)
            {
                var strata = Permutation(size, TrialRandom.For(seed, block, $"{purpose}-design-lhs-{coordinate}"));
                unit[i] = (strata[position] + jitter.NextDouble()) / size;
            }
            values.Add(KeyValuePair.Create(dimension.Name, dimension.FromDesign(unit, draw)));
        }
        return ParamSet.Freeze(values);
    }

    /// <summary>
    /// The candidate with the highest expected improvement, or null when no observation is Complete.
    /// Candidates are generated per branch (every combination of categorical choices when there are at
    /// most <see cref="GpSamplerSettings.MaxJointBranches"/>, else every single choice of every categorical):
    /// random points forced into the branch, neighbours of the branch's best points and of the global
    /// best transplanted into it, then each branch's best is hill-climbed with its categoricals held.
    /// With <paramref name="exploreDimension"/> the winner must differ from the incumbent (best Complete
    /// observation) in that categorical: the best branch that is not the incumbent's.
    /// </summary>
    public IReadOnlyDictionary<string, ParamValue>? Maximize(SearchSpace space, IReadOnlyList<GpObservation> observations, Random rng,
        CategoricalDimension? exploreDimension = null, Func<IReadOnlyDictionary<string, ParamValue>, double>? cost = null)
    {
        var model = Model.Fit(observations, settings, rng);
        if (model is null) return null;
        var score = ProposalCosts.PerSecond(model.Score(space, model.Ranked[0]), cost);
        if (!settings.BranchCandidates) return MaximizeGlobally(space, model.Ranked, rng, score);
        if (exploreDimension is null) return MaximizePerBranch(space, Branches(space), model.Ranked, rng, score);

        // An exploration trial goes to the runner-up choice of exploreDimension (the best point's
        // choice among the others; one never measured first). Its branches are searched with a GP
        // fitted to that choice's points alone (TuRBO's local model: standardized and warped on their
        // own scale, not flattened by the incumbent branch) and scored by the improvement over that
        // choice's best — against the global best a worse branch's EI is pure variance, which sends
        // the search to the corners.
        var runnerUp = RunnerUp(exploreDimension, model.Ranked);
        var branches = Branches(space).Where(b => b.TryGetValue(exploreDimension.Name, out var choice)
            && ChoiceIndex(exploreDimension, choice) == runnerUp).ToList();
        if (branches.Count == 0) return MaximizePerBranch(space, Branches(space), model.Ranked, rng, score);
        var withChoice = observations.Where(o => ChoiceIndex(exploreDimension, o.Params[exploreDimension.Name]) == runnerUp).ToList();
        var localModel = settings.LocalExplorationModel && withChoice.Count(o => o.Kind == ObservationKind.Complete) >= MinLocalObservations
            ? Model.Fit(withChoice, settings, rng) ?? model
            : model;
        var localBest = localModel.Ranked.FirstOrDefault(o => ChoiceIndex(exploreDimension, o.Params[exploreDimension.Name]) == runnerUp);
        var localScore = localBest is null ? score : ProposalCosts.PerSecond(localModel.Score(space, localBest), cost);
        return MaximizePerBranch(space, branches, model.Ranked, rng, localScore);
    }

    /// <summary>Complete points a choice needs before an exploration trial models it on its own.</summary>
    private const int MinLocalObservations = 3;

    /// <summary>A GP conditioned on observations, with the output transform its targets went through.</summary>
    private sealed class Model(GaussianProcess gp, Warp warp, double center, double scale, GpObservation[] ranked, double exploration)
    {
        /// <summary>Complete observations, best first.</summary>
        public GpObservation[] Ranked => ranked;

        /// <summary>
        /// Fits hyperparameters on the Complete and Failed observations, then conditions on the Pending
        /// ones too at a constant lie (the mean, 0 after standardization): EI vanishes where another
        /// worker is already looking, without moving the hyperparameters. Null without a Complete one.
        /// </summary>
        public static Model? Fit(IReadOnlyList<GpObservation> observations, GpSamplerSettings settings, Random rng)
        {
            var fitted = observations.Where(o => o.Kind != ObservationKind.Pending).ToArray();
            if (!fitted.Any(o => o.Kind == ObservationKind.Complete)) return null;
            var warp = settings.WarpOutputs ? Warp.Of(fitted.Where(o => o.Kind == ObservationKind.Complete).Select(o => o.Value).ToArray()) : Warp.Identity;
            var (center, scale) = Standardization(fitted.Select(o => warp.Apply(o.Value)).ToArray());
            var inputs = fitted.Select(o => o.Encoded).ToArray();
            var targets = fitted.Select(o => (warp.Apply(o.Value) - center) / scale).ToArray();
            var gp = GaussianProcess.Fit(inputs, targets, rng, new HyperparameterSearch(settings.FitRestarts, settings.FitIterations));
            var pending = observations.Where(o => o.Kind == ObservationKind.Pending).ToArray();
            if (pending.Length > 0)
                gp = GaussianProcess.Condition([.. inputs, .. pending.Select(p => p.Encoded)], [.. targets, .. pending.Select(_ => 0.0)], gp.Hyperparameters) ?? gp;
            var ranked = fitted.Where(o => o.Kind == ObservationKind.Complete).OrderBy(o => o.Value).ToArray();
            return new Model(gp, warp, center, scale, ranked, settings.Exploration);
        }

        /// <summary>Expected improvement over <paramref name="reference"/>'s value.</summary>
        public Func<IReadOnlyDictionary<string, ParamValue>, double> Score(SearchSpace space, GpObservation reference)
        {
            var best = (warp.Apply(reference.Value) - center) / scale;
            return candidate =>
            {
                var encoded = space.TryEncode(candidate);
                if (encoded is null) return double.NegativeInfinity;
                var (mean, variance) = gp.Predict(encoded);
                return ExpectedImprovement.Evaluate(mean, variance, best, exploration);
            };
        }
    }

    /// <summary>The choice of <paramref name="dimension"/> an exploration trial goes to: not the incumbent's; unmeasured choices first, then the lowest best value.</summary>
    private static int RunnerUp(CategoricalDimension dimension, GpObservation[] ranked)
    {
        var incumbent = ChoiceIndex(dimension, ranked[0].Params[dimension.Name]);
        var bestRank = Enumerable.Repeat(int.MaxValue, dimension.Choices.Count).ToArray();
        for (var r = ranked.Length - 1; r >= 0; r--) bestRank[ChoiceIndex(dimension, ranked[r].Params[dimension.Name])] = r;
        var chosen = -1;
        for (var i = 0; i < bestRank.Length; i++)
            if (i != incumbent && (chosen < 0 || bestRank[i] == int.MaxValue && bestRank[chosen] != int.MaxValue
                || bestRank[chosen] != int.MaxValue && bestRank[i] < bestRank[chosen]))
                chosen = i;
        return chosen;
    }

    /// <summary>The search before branches were searched on their own: random points, neighbours of the best three, hill-climbing with every dimension free.</summary>
    private IReadOnlyDictionary<string, ParamValue> MaximizeGlobally(SearchSpace space, GpObservation[] ranked, Random rng,
        Func<IReadOnlyDictionary<string, ParamValue>, double> score)
    {
        var candidates = new List<Candidate>();
        for (var i = 0; i < settings.RandomCandidates; i++) candidates.Add(Scored(space.Sample(rng), 0, score));
        foreach (var incumbent in ranked.Take(3))
            for (var i = 0; i < settings.NeighboursOfBest; i++)
                candidates.Add(Scored(Perturb(space, incumbent.Params, rng, 0.1, holdCategoricals: false), 0, score));
        var top = candidates.OrderByDescending(c => c.Ei).Take(settings.RefinedCandidates).ToList();
        var winner = top[0];
        foreach (var start in top)
        {
            var refined = Refine(space, start, rng, score, holdCategoricals: false);
            if (refined.Ei > winner.Ei) winner = refined;
        }
        return winner.Params;
    }

    private IReadOnlyDictionary<string, ParamValue> MaximizePerBranch(SearchSpace space, List<IReadOnlyDictionary<string, ParamValue>> branches,
        GpObservation[] ranked, Random rng, Func<IReadOnlyDictionary<string, ParamValue>, double> score)
    {
        var local = settings.TrustRegion > 0;
        var perBranch = Math.Max(16, settings.RandomCandidates / branches.Count);
        var anchorsBudget = local ? settings.RandomCandidates + 3 * settings.NeighboursOfBest : settings.NeighboursOfBest * 3;
        var candidates = new List<Candidate>();
        var regions = new double[branches.Count];
        for (var b = 0; b < branches.Count; b++)
        {
            var branch = branches[b];
            var inBranch = ranked.Where(o => InBranch(o.Params, branch)).ToArray();
            var region = regions[b] = local ? TrustRegion(inBranch) : 0.1;
            if (!local)
                for (var i = 0; i < perBranch; i++) candidates.Add(Scored(Force(space, space.Sample(rng), branch), b, score));
            var anchors = inBranch.Take(3).Concat(ranked.Take(3).Where(o => !InBranch(o.Params, branch))).ToArray();
            var perAnchor = Math.Max(8, anchorsBudget / (branches.Count * Math.Max(1, anchors.Length)));
            foreach (var anchor in anchors)
            {
                var start = Force(space, anchor.Params, branch);
                // TuRBO keeps candidates inside the region: a box of ±2 scales around the anchor.
                var box = local ? new Box(space.TryEncode(start)!, 2 * region) : null;
                if (!InBranch(anchor.Params, branch)) candidates.Add(Scored(start, b, score) with { Box = box });
                // Three radii inside the region: its edge, half and a quarter of it.
                for (var i = 0; i < perAnchor; i++)
                {
                    var neighbour = Perturb(space, start, rng, region * Math.Pow(0.5, i % 3), holdCategoricals: true);
                    if (box is null || box.Contains(space.TryEncode(neighbour)!)) candidates.Add(Scored(neighbour, b, score) with { Box = box });
                }
            }
        }

        // Hill-climb the best of every branch and the best few overall, categoricals held, steps within the branch's region.
        var starts = candidates.GroupBy(c => c.Branch).Select(g => g.MaxBy(c => c.Ei)!)
            .Concat(candidates.OrderByDescending(c => c.Ei).Take(settings.RefinedCandidates))
            .Distinct().ToList();
        candidates.AddRange(starts.Select(start => Refine(space, start, rng, score, holdCategoricals: true, Math.Min(0.1, regions[start.Branch] / 2))));

        // First maximum wins ties, so the result does not depend on anything but the draw order.
        var winner = candidates[0];
        foreach (var candidate in candidates)
            if (candidate.Ei > winner.Ei) winner = candidate;
        return winner.Params;
    }

    /// <summary>
    /// Size of a branch's trust region (the perturbation scale around its best points, in encoded
    /// units), from its history alone: <see cref="GpSamplerSettings.TrustRegion"/> halved for every
    /// <see cref="GpSamplerSettings.TrustRegionPatience"/> Complete trials of the branch since its best,
    /// and back to full size (a restart) once it would fall below 1/32 of that.
    /// </summary>
    private double TrustRegion(GpObservation[] inBranchRanked)
    {
        if (inBranchRanked.Length == 0) return settings.TrustRegion;
        var bestNumber = inBranchRanked[0].Number;
        var sinceBest = inBranchRanked.Count(o => o.Number > bestNumber);
        var halvings = sinceBest / Math.Max(1, settings.TrustRegionPatience) % TrustRegionHalvings;
        return settings.TrustRegion * Math.Pow(0.5, halvings);
    }

    private const int TrustRegionHalvings = 6;

    private Candidate Refine(SearchSpace space, Candidate start, Random rng, Func<IReadOnlyDictionary<string, ParamValue>, double> score, bool holdCategoricals,
        double firstStep = 0.1)
    {
        var current = start;
        for (var step = 0; step < settings.RefinementSteps; step++)
        {
            // Step size decays from firstStep (0.1 of the unit range) to 1/20 of it over the refinement.
            var scale = firstStep * Math.Pow(0.05, step / (double)Math.Max(1, settings.RefinementSteps - 1));
            var neighbour = Perturb(space, current.Params, rng, scale, holdCategoricals);
            if (start.Box is { } box && !box.Contains(space.TryEncode(neighbour)!)) continue;
            var ei = score(neighbour);
            if (ei > current.Ei) current = current with { Params = neighbour, Ei = ei };
        }
        return current;
    }

    /// <summary>Every combination of the categoricals' choices when few, else every single (dimension, choice).</summary>
    private List<IReadOnlyDictionary<string, ParamValue>> Branches(SearchSpace space)
    {
        var dimensions = BranchDimensions(space);
        if (dimensions.Length == 0) return [new Dictionary<string, ParamValue>()];
        var combinations = dimensions.Aggregate(1L, (product, d) => product * d.Choices.Count);
        if (combinations <= settings.MaxJointBranches)
        {
            var joint = new List<IReadOnlyDictionary<string, ParamValue>> { new Dictionary<string, ParamValue>(StringComparer.Ordinal) };
            foreach (var dimension in dimensions)
                joint = joint.SelectMany(partial => dimension.Choices.Select(choice =>
                    (IReadOnlyDictionary<string, ParamValue>)new Dictionary<string, ParamValue>(partial, StringComparer.Ordinal) { [dimension.Name] = choice })).ToList();
            return joint;
        }
        return dimensions.SelectMany(d => d.Choices.Select(choice =>
            (IReadOnlyDictionary<string, ParamValue>)new Dictionary<string, ParamValue>(StringComparer.Ordinal) { [d.Name] = choice })).ToList();
    }

    private static bool InBranch(IReadOnlyDictionary<string, ParamValue> parameters, IReadOnlyDictionary<string, ParamValue> branch) =>
        branch.All(b => parameters.TryGetValue(b.Key, out var value) && value.Equals(b.Value));

    private static IReadOnlyDictionary<string, ParamValue> Force(SearchSpace space, IReadOnlyDictionary<string, ParamValue> parameters,
        IReadOnlyDictionary<string, ParamValue> branch) =>
        branch.Count == 0 ? parameters
        : ParamSet.Freeze(space.Dimensions.Select(d => KeyValuePair.Create(d.Name, branch.TryGetValue(d.Name, out var forced) ? forced : parameters[d.Name])));

    private static IReadOnlyDictionary<string, ParamValue> Perturb(SearchSpace space, IReadOnlyDictionary<string, ParamValue> parameters, Random rng,
        double scale, bool holdCategoricals) =>
        ParamSet.Freeze(space.Dimensions.Select(d => KeyValuePair.Create(d.Name,
            holdCategoricals && d is CategoricalDimension ? parameters[d.Name] : d.Perturb(parameters[d.Name], rng, scale))));

    private static ParamValue LeastCovered(CategoricalDimension dimension, IReadOnlyList<IReadOnlyDictionary<string, ParamValue>> covered, Random rng)
    {
        var counts = new int[dimension.Choices.Count];
        foreach (var parameters in covered)
            if (parameters.TryGetValue(dimension.Name, out var value) && ChoiceIndex(dimension, value) is var i and >= 0)
                counts[i]++;
        var order = Permutation(counts.Length, rng);
        var chosen = order[0];
        foreach (var i in order)
            if (counts[i] < counts[chosen]) chosen = i;
        return dimension.Choices[chosen];
    }

    /// <summary>Index of <paramref name="value"/> among the choices (numbers compare by value), −1 when it is none of them.</summary>
    public static int ChoiceIndex(CategoricalDimension dimension, ParamValue value)
    {
        Span<double> oneHot = stackalloc double[dimension.Choices.Count];
        return dimension.TryEncode(value, oneHot) ? oneHot.IndexOf(1.0) : -1;
    }

    private static int[] Permutation(int count, Random rng)
    {
        var order = Enumerable.Range(0, count).ToArray();
        for (var i = count - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    private static (double Center, double Scale) Standardization(double[] values)
    {
        var mean = values.Average();
        var sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length);
        return (mean, sd < 1e-12 ? 1.0 : sd);
    }

    /// <summary>
    /// Monotone output warp y ↦ log(y − min + δ), δ = median − min of the Complete values: resolution
    /// where the good values are, and a few disastrous configs (an over-pruned perplexity in the
    /// thousands, a branch whose random points are far off) no longer flatten every other difference
    /// after standardization, which leaves EI chasing variance into corners.
    /// </summary>
    internal readonly record struct Warp(double Min, double Delta, bool Enabled)
    {
        public static Warp Identity => new(0, 1, false);

        public static Warp Of(double[] complete)
        {
            var sorted = complete.Order().ToArray();
            var min = sorted[0];
            var delta = sorted[sorted.Length / 2] - min;
            if (!(delta > 1e-12)) delta = Math.Max(1e-12, sorted[^1] - min);
            return !(delta > 1e-12) ? Identity : new Warp(min, delta, true);
        }

        // Failed trials sit at the worst value; anything below the minimum (cannot happen for fitted points) is clamped.
        public double Apply(double y) => Enabled ? Math.Log(Math.Max(y - Min, 0.0) + Delta) : y;
    }

    private static Candidate Scored(IReadOnlyDictionary<string, ParamValue> parameters, int branch, Func<IReadOnlyDictionary<string, ParamValue>, double> score) =>
        new(parameters, score(parameters), branch);

    private sealed record Candidate(IReadOnlyDictionary<string, ParamValue> Params, double Ei, int Branch, Box? Box = null);

    /// <summary>A trust region's box in encoded coordinates: within <paramref name="HalfWidth"/> of <paramref name="Center"/> in every coordinate.</summary>
    private sealed record Box(double[] Center, double HalfWidth)
    {
        public bool Contains(double[] encoded)
        {
            for (var i = 0; i < encoded.Length; i++)
                if (Math.Abs(encoded[i] - Center[i]) > HalfWidth + 1e-12) return false;
            return true;
        }
    }
}

using System.Globalization;
using System.Text.Json;
using Search.Optimization.Spaces;
using Search.Optimization.Trials;

namespace Search.Optimization.Samplers;

/// <summary>
/// GP for the low-dimensional part, coarse-to-fine evolution for the per-layer allocations (issue 11).
/// The space splits in two: every layer_ratios dimension (one ratio vector per module type, 44–160
/// numbers on real models) is the <b>allocation</b>; every other dimension (calibration, metric mix,
/// structure, compensation) is the <b>context</b>.
/// <list type="number">
/// <item><b>Start-up</b>: the warm-start-robust GP's design over the context (<see cref="GpEngine.DesignPoint"/>:
/// every categorical choice on its own, least covered first, Latin hypercube for the rest), each paired
/// with the elite allocation.</item>
/// <item><b>Generations</b>, DarwinLM/EvoPress style, in the incumbent context (the best context at top
/// fidelity, skipping categorical branches where the allocation turned out not to matter, e.g. al-am):
/// stage 0 scores <see cref="HybridSettings.Offspring"/> children of the parent on the fewest tokens,
/// each stage keeps the best <see cref="HybridSettings.StageKeep"/> and re-scores them on more tokens
/// (<see cref="UserAttrKeys.FidelityTokens"/>), and the winner of the last stage is compared with the
/// parent (elitism: the parent's value in the context is carried over when known, else it is
/// re-scored in the last stage). Generation 0's parent is the best hand-set allocation
/// (<see cref="UserAttrKeys.AllocationRatios"/> snapped to the grid under the budget); the next
/// hand-set ones join its stage 0.</item>
/// <item><b>Coarse to fine</b>: children move <see cref="HybridSettings.LevelFactors"/>[0] grid steps at a
/// time (e.g. 4 × 0.05), budget-preserving by construction (<see cref="CoarseMutation"/>); after
/// <see cref="HybridSettings.Patience"/> generations whose winner does not beat the parent the move size
/// halves, down to the dimension's own step.</item>
/// <item><b>GP trials</b>: before each generation <see cref="HybridSettings.GpTrialsPerGeneration"/> trials
/// where the GP (fitted on the top-fidelity trials, one point per context at its best value) proposes
/// a context, paired with the elite allocation.</item>
/// </list>
/// <para>
/// <b>Several workers</b>: a stage's selection needs all its trials finished. A worker that asks while
/// the current stage is fully handed out but still has Running trials gets a filler instead of an
/// error: a GP trial on the context (Running GP trials enter that fit as constant liars, so fillers
/// spread out), or, when the space searches nothing but allocations, a probe — one more child of the
/// parent scored at the top fidelity in the generation's context, which the next generation's parent
/// choice considers. Fillers never enter a stage's selection, so selection does not depend on timing.
/// </para>
/// <para>
/// <b>Determinism</b>: a pure function of (space, history, seed, trial number). A generation's
/// decisions (context, parent, its value, move size, seeds) are taken when its first trial is
/// proposed and written on that trial's user attrs; later calls read them back, and children come from
/// a stream seeded by (seed, generation). Trials without <see cref="UserAttrKeys.HybridRole"/> (enqueued
/// baselines) inform the GP, the context choice and the seeds, never a selection.
/// </para>
/// </summary>
public sealed class HybridSampler(HybridSettings? settings = null) : ISampler
{
    public const string SamplerName = "hybrid";
    internal const string ParentCandidate = "parent", MergedCandidate = "merged";
    internal const string DesignRole = "design", GpRole = "gp", EvoRole = "evo", ProbeRole = "probe";

    private readonly HybridSettings _settings = (settings ?? new HybridSettings()).Validate();

    public string Name => SamplerName;

    public Proposal Propose(SamplingContext context) => new Run(_settings, context).Propose();

    /// <summary>Trials this sampler proposed (they carry a role).</summary>
    internal static bool IsOwn(FrozenTrial trial) => trial.UserAttr(UserAttrKeys.HybridRole) is not null;

    private sealed record Header(Genome Parent, double? ParentValue, int Factor, int Stall, IReadOnlyList<Genome> Seeds,
        IReadOnlyDictionary<string, ParamValue> Context);

    private sealed record Candidate(string Id, Genome Genome);

    /// <summary>A generation replayed from the history: what to propose next, or that it waits, or its winner.</summary>
    private sealed class Generation(int index, Header header)
    {
        public int Index => index;
        public Header Header => header;
        public (int Stage, Candidate Candidate)? Next { get; set; }
        public bool Blocked { get; set; }
        public bool Complete { get; set; }

        /// <summary>Stopped in stage 0: its children all scored alike, so the allocation does not matter in its context.</summary>
        public bool Aborted { get; set; }
        public Genome Winner { get; set; } = header.Parent;
        public double WinnerValue { get; set; } = double.PositiveInfinity;

        /// <summary>The parent's value in this generation's context: carried over, or scored in the last stage.</summary>
        public double ParentValue { get; set; } = header.ParentValue ?? double.PositiveInfinity;
    }

    /// <summary>One call's view of the history.</summary>
    private sealed class Run
    {
        private readonly HybridSettings _s;
        private readonly SamplingContext _c;
        private readonly SearchSpace _space;
        private readonly SearchSpace _low;
        private readonly LayerRatiosDimension[] _dimensions;
        private readonly GpEngine _engine;
        private readonly bool _hasLow;
        private readonly List<FrozenTrial> _own;
        private readonly ILookup<(int Generation, int Stage), FrozenTrial> _evo;

        public Run(HybridSettings settings, SamplingContext context)
        {
            _s = settings;
            _c = context;
            _space = context.Space;
            _dimensions = _space.Dimensions.OfType<LayerRatiosDimension>().ToArray();
            if (_dimensions.Length == 0)
                throw new OptimizationInputException($"hybrid sampler: space '{_space.Name}' has no layer_ratios dimension to evolve; use the gp sampler");
            _low = new SearchSpace(_space.Name + " (context)", _space.Dimensions.Where(d => d is not LayerRatiosDimension).ToArray(), [], _space.SourceJson);
            _engine = new GpEngine(settings.GpSettings);
            _hasLow = _low.EncodedWidth > 0;
            _own = context.History.Where(IsOwn).OrderBy(t => t.Number).ToList();
            _evo = _own.Where(t => t.UserAttr(UserAttrKeys.HybridRole) == EvoRole)
                .ToLookup(t => (AttrInt(t, UserAttrKeys.EvoGeneration), AttrInt(t, UserAttrKeys.EvoStage)));
        }

        public Proposal Propose()
        {
            var designs = _own.Count(t => Role(t) == DesignRole);
            if (_hasLow && designs < _engine.StartupSize(_low))
                return Make(DesignRole, Combine(_engine.DesignPoint(_low, CoveredContexts(), designs, _c.Seed, "hybrid"), Elite()), _s.TopTokens);

            var last = _evo.Count == 0 ? -1 : _evo.Max(g => g.Key.Generation);
            var generation = last >= 0 ? Replay(last, ReadHeader(last)) : null;
            if (generation?.Next is { } next) return Evolution(generation, next.Stage, next.Candidate);
            if (generation is { Blocked: true }) return _hasLow ? GpTrial(slot: null) : Probe(generation);

            var slot = last + 1;
            if (_hasLow && _own.Count(t => Role(t) == GpRole && t.UserAttr(UserAttrKeys.HybridSlot) == Text(slot)) < _s.GpTrialsPerGeneration)
                return GpTrial(slot);

            var started = Replay(slot, Decide(slot, generation));
            var first = started.Next ?? throw new InvalidOperationException("a new generation has a first candidate");
            return Evolution(started, first.Stage, first.Candidate);
        }

        // ---- generations ----

        private Header ReadHeader(int generation)
        {
            var first = _evo[(generation, 0)].FirstOrDefault(t => t.UserAttr(UserAttrKeys.EvoCandidate) == "0")
                ?? throw new InvalidOperationException($"hybrid sampler: generation {generation} has no first trial; was the history edited?");
            var parent = ReadGenome(first.UserAttr(UserAttrKeys.EvoParent))
                ?? throw new InvalidOperationException($"trial {first.Number}: unreadable {UserAttrKeys.EvoParent}");
            var seeds = first.UserAttr(UserAttrKeys.EvoSeeds) is { } seedsJson
                ? JsonSerializer.Deserialize<List<Dictionary<string, double[]>>>(seedsJson)!.Select(ReadGenome).OfType<Genome>().ToList()
                : [];
            var value = first.UserAttr(UserAttrKeys.EvoParentValue) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : (double?)null;
            return new Header(parent, value, AttrInt(first, UserAttrKeys.EvoLevelFactor), AttrInt(first, UserAttrKeys.EvoStall), seeds, ContextOf(first.Params)!);
        }

        /// <summary>Stage 0's candidates: the seeds (generation 0), then children of the parent from the generation's own stream.</summary>
        private List<Candidate> StageZero(int generation, Header header)
        {
            var genomes = header.Seeds.Where(g => !g.Equals(header.Parent)).Distinct().Take(_s.Offspring).ToList();
            genomes.AddRange(CoarseMutation.Offspring(header.Parent, _dimensions, header.Factor, _s.MaxMoves, _s.Offspring - genomes.Count,
                genomes, TrialRandom.For(_c.Seed, generation, "hybrid-offspring")));
            if (genomes.Count == 0)
                throw new OptimizationInputException($"hybrid sampler: the layer_ratios grid of space '{_space.Name}' admits no allocation but the parent");
            return genomes.Select((g, i) => new Candidate(Text(i), g)).ToList();
        }

        private Generation Replay(int index, Header header)
        {
            var generation = new Generation(index, header);
            var candidates = StageZero(index, header);
            var reference = _s.Recombine && _s.Stages > 1;
            List<Candidate>? beaters = null;
            for (var stage = 0; stage < _s.Stages; stage++)
            {
                var last = stage == _s.Stages - 1;
                var regular = new List<Candidate>(candidates);
                // Stage 0 scores the parent on the same windows as its children: the children that beat it
                // there are merged into one more candidate of the last stage.
                if (stage == 0 && reference) regular.Add(new Candidate(ParentCandidate, header.Parent));
                if (last && stage > 0 && _s.Recombine && Merge(header.Parent, beaters ?? candidates) is { } merged) regular.Add(new Candidate(MergedCandidate, merged));
                if (last && header.ParentValue is null) regular.Add(new Candidate(ParentCandidate, header.Parent));
                var trials = _evo[(index, stage)].GroupBy(t => t.UserAttr(UserAttrKeys.EvoCandidate)!).ToDictionary(g => g.Key, g => g.First());
                if (stage == 0 && AllocationBlind(trials.Values))
                {
                    // Nothing to select where the objective ignores the allocation (e.g. structure al-am): the
                    // generation ends here with its parent, and the next one evolves in another branch.
                    generation.Complete = generation.Aborted = true;
                    generation.WinnerValue = generation.ParentValue;
                    return generation;
                }
                foreach (var candidate in regular)
                    if (!trials.ContainsKey(candidate.Id))
                    {
                        generation.Next = (stage, candidate);
                        return generation;
                    }
                if (regular.Any(c => trials[c.Id].State == TrialState.Running))
                {
                    generation.Blocked = true;
                    return generation;
                }
                var scored = regular.Select((c, i) => (Candidate: c, Value: Fitness(trials[c.Id]), Index: i)).ToList();
                if (!last)
                {
                    var children = scored.Where(x => x.Candidate.Id != ParentCandidate && double.IsFinite(x.Value)).OrderBy(x => x.Value).ThenBy(x => x.Index).ToList();
                    if (stage == 0 && reference)
                    {
                        var parentValue = scored.Single(x => x.Candidate.Id == ParentCandidate).Value;
                        beaters = children.Where(x => x.Value < parentValue).Select(x => x.Candidate).ToList();
                    }
                    candidates = children.Take(_s.Keep[stage]).Select(x => x.Candidate).ToList();
                    continue;
                }
                if (header.ParentValue is null) generation.ParentValue = scored.Last(x => x.Candidate.Id == ParentCandidate).Value;
                // Elitism: a child must beat the parent to replace it.
                generation.Winner = header.Parent;
                generation.WinnerValue = generation.ParentValue;
                foreach (var x in scored.Where(x => x.Candidate.Id != ParentCandidate))
                    if (x.Value < generation.WinnerValue)
                    {
                        generation.Winner = x.Candidate.Genome;
                        generation.WinnerValue = x.Value;
                    }
            }
            generation.Complete = true;
            return generation;
        }

        /// <summary>
        /// The parent plus every move of <paramref name="survivors"/> (each move keeps the budget, so their
        /// sum does); null when it leaves the grid, equals the parent or a survivor, or there is only one survivor.
        /// </summary>
        private Genome? Merge(Genome parent, List<Candidate> survivors)
        {
            if (survivors.Count < 2) return null;
            var levels = parent.LevelsPerModuleType.Select(l => l.ToArray()).ToArray();
            foreach (var survivor in survivors)
                for (var m = 0; m < levels.Length; m++)
                    for (var l = 0; l < levels[m].Length; l++)
                        levels[m][l] += survivor.Genome.LevelsPerModuleType[m][l] - parent.LevelsPerModuleType[m][l];
            for (var m = 0; m < levels.Length; m++)
                if (levels[m].Any(level => level < 0 || level > _dimensions[m].MaxLevel)) return null;
            var merged = new Genome(levels);
            return merged.Equals(parent) || survivors.Any(c => c.Genome.Equals(merged)) ? null : merged;
        }

        /// <summary>
        /// What a new generation starts from, decided once and written on its first trial: the
        /// incumbent context, the best allocation known in it (generation 0: the best hand-set one), that
        /// allocation's value when an own top-fidelity trial measured it there, and the move size.
        /// </summary>
        private Header Decide(int index, Generation? previous)
        {
            var context = IncumbentContext();
            var known = OwnAllocationsIn(context);
            if (index == 0 || previous is null)
            {
                var seeds = Seeds();
                var start = seeds.Count > 0 ? seeds[0]
                    : known.Count > 0 ? known[0].Genome
                    : Genome.AtTarget(_dimensions);
                var value = known.FirstOrDefault(k => k.Genome.Equals(start)).Value;
                return new Header(start, value, _s.Factors[0], 0, seeds.Skip(1).ToList(), context);
            }

            var sameContext = ParamSet.SequenceEquals(context, previous.Header.Context);
            var (parent, parentValue) = known.Count > 0 ? (known[0].Genome, (double?)known[0].Value) : (previous.Winner, null);
            var stall = previous.Header.Stall;
            if (sameContext)
                stall = parentValue < previous.ParentValue - 1e-12 * Math.Max(1.0, Math.Abs(previous.ParentValue)) ? 0 : stall + 1;
            var factor = previous.Header.Factor;
            if (stall >= _s.Patience && factor > 1)
            {
                factor = _s.Factors.First(f => f < factor);
                stall = 0;
            }
            return new Header(parent, parentValue, factor, stall, [], context);
        }

        /// <summary>Own top-fidelity Complete trials in exactly this context, best first, one per allocation.</summary>
        private List<(Genome Genome, double? Value)> OwnAllocationsIn(IReadOnlyDictionary<string, ParamValue> context) =>
            _own.Where(t => t.State == TrialState.Complete && t.Value is { } v && double.IsFinite(v) && IsTopFidelity(t)
                    && ContextOf(t.Params) is { } c && ParamSet.SequenceEquals(c, context))
                .Select(t => (Genome: Genome.FromParams(_dimensions, t.Params), Value: t.Value!.Value, t.Number))
                .Where(x => x.Genome is not null)
                .OrderBy(x => x.Value).ThenBy(x => x.Number)
                .DistinctBy(x => x.Genome)
                .Select(x => (x.Genome!, (double?)x.Value)).ToList();

        /// <summary>
        /// The context of the best top-fidelity trial (own or foreign) that is a point of the context
        /// space, skipping categorical branches where a generation's children all scored the same (the
        /// allocation is ignored there, e.g. structure al-am). Before any result: the first design
        /// point's context, or the fixed values.
        /// </summary>
        private IReadOnlyDictionary<string, ParamValue> IncumbentContext()
        {
            var blind = PresumedBlind();
            var best = _c.History
                .Where(t => t.State == TrialState.Complete && t.Value is { } v && double.IsFinite(v) && IsTopFidelity(t))
                .Select(t => (Trial: t, Context: ContextOf(t.Params)))
                .Where(x => x.Context is not null && GpObservation.Encode(_low, x.Context) is not null && !blind(x.Context))
                .OrderBy(x => x.Trial.Value).ThenBy(x => x.Trial.Number)
                .FirstOrDefault();
            if (best.Context is not null) return best.Context;
            var firstOwn = _own.Select(t => ContextOf(t.Params)).FirstOrDefault(c => c is not null);
            return firstOwn ?? _low.Sample(TrialRandom.For(_c.Seed, 0, "hybrid-context"));
        }

        /// <summary>
        /// Which contexts presumably ignore the allocation, from the generations so far: each one whose
        /// stage 0 showed the allocation is ignored (<see cref="AllocationBlind"/>) is explained by its
        /// categorical values never seen in a generation where the allocation mattered; a context sharing
        /// all of those values (all of its categorical values, while none is explained), or all the values
        /// two blind contexts share, is skipped. So after al-am/bias/c4 was blind and
        /// per-layer/bias/wikitext2 was not, al-am/ls/c4 is skipped but al-am/ls/wikitext2 gets a
        /// generation; once that one is blind too, every al-am context is skipped.
        /// </summary>
        private Func<IReadOnlyDictionary<string, ParamValue>, bool> PresumedBlind()
        {
            var blind = new List<string[]>();
            var sensitive = new HashSet<string>(StringComparer.Ordinal);
            foreach (var stage0 in _evo.Where(g => g.Key.Stage == 0))
            {
                var pairs = BranchPairs(ContextOf(stage0.First().Params)!);
                if (AllocationBlind(stage0)) blind.Add(pairs);
                else if (stage0.Count(t => t.State == TrialState.Complete && t.Value is { } v && double.IsFinite(v)) >= 2) sensitive.UnionWith(pairs);
            }
            var explanations = blind.Select(b => b.Where(p => !sensitive.Contains(p)).ToArray() is { Length: > 0 } unexplained ? unexplained : b).ToList();
            // What two blind contexts share explains both: after al-am/ls/c4 and al-am/ls/wikitext2, any al-am/ls context is skipped.
            for (var i = 0; i < blind.Count; i++)
                for (var j = i + 1; j < blind.Count; j++)
                    if (explanations[i].Intersect(explanations[j], StringComparer.Ordinal).ToArray() is { Length: > 0 } shared)
                        explanations.Add(shared);
            return context =>
            {
                var pairs = BranchPairs(context).ToHashSet(StringComparer.Ordinal);
                return explanations.Any(e => e.All(pairs.Contains));
            };
        }

        private string[] BranchPairs(IReadOnlyDictionary<string, ParamValue> context) =>
            GpEngine.BranchDimensions(_low).Select(d => $"{d.Name}={context[d.Name]}").ToArray();

        /// <summary>
        /// Two or more finished children of one parent in one context (distinct allocations by construction)
        /// that the objective scored exactly alike or reported the same applied allocation for: the
        /// context ignores the vectors. Deciding on the finished ones only is stable: in such a context
        /// every later child agrees, and elsewhere no two children agree.
        /// </summary>
        private static bool AllocationBlind(IEnumerable<FrozenTrial> stage0)
        {
            var done = stage0.Where(t => t.State == TrialState.Complete && t.Value is { } v && double.IsFinite(v)).ToList();
            if (done.Count < 2) return false;
            var applied = done.Select(t => t.UserAttr(UserAttrKeys.AllocationRatios)).ToList();
            return done.All(t => t.Value == done[0].Value)
                   || applied[0] is not null && applied.All(a => a == applied[0]);
        }

        /// <summary>The allocation paired with new contexts: the last generation's winner (or its parent while it runs), else the best seed, else uniform.</summary>
        private Genome Elite()
        {
            if (_evo.Count > 0)
            {
                var last = _evo.Max(g => g.Key.Generation);
                var generation = Replay(last, ReadHeader(last));
                return generation.Complete ? generation.Winner : generation.Header.Parent;
            }
            var seeds = Seeds();
            return seeds.Count > 0 ? seeds[0] : Genome.AtTarget(_dimensions);
        }

        /// <summary>
        /// Allocations the objective reported (<see cref="UserAttrKeys.AllocationRatios"/>) for Complete
        /// trials this sampler did not propose (the hand-set baselines), best value first, snapped to the
        /// grid under the budget, distinct; a trial without the attribute, or missing a module, is ignored.
        /// </summary>
        private List<Genome> Seeds()
        {
            var seeds = new List<(Genome Genome, double Value, int Number)>();
            foreach (var trial in _c.History)
            {
                if (IsOwn(trial) || trial.State != TrialState.Complete || trial.Value is not { } value || !double.IsFinite(value)) continue;
                if (ReadAllocation(trial.UserAttr(UserAttrKeys.AllocationRatios)) is { } genome) seeds.Add((genome, value, trial.Number));
            }
            return seeds.OrderBy(s => s.Value).ThenBy(s => s.Number).Select(s => s.Genome).Distinct().Take(_s.SeedAllocations).ToList();
        }

        private Genome? ReadAllocation(string? json)
        {
            if (json is null) return null;
            Dictionary<string, double[]>? byModule;
            try
            {
                byModule = JsonSerializer.Deserialize<Dictionary<string, double[]>>(json);
            }
            catch (JsonException)
            {
                return null;
            }
            if (byModule is null) return null;
            var levels = new List<int[]>();
            foreach (var dimension in _dimensions)
            {
                if (!byModule.TryGetValue(dimension.Module, out var fractions) || dimension.SnapToBudget(fractions) is not { } snapped) return null;
                levels.Add(snapped);
            }
            return new Genome(levels);
        }

        // ---- proposals ----

        private Proposal Evolution(Generation generation, int stage, Candidate candidate)
        {
            var attrs = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [UserAttrKeys.EvoGeneration] = Text(generation.Index),
                [UserAttrKeys.EvoStage] = Text(stage),
                [UserAttrKeys.EvoCandidate] = candidate.Id,
                [UserAttrKeys.EvoLevelFactor] = Text(generation.Header.Factor),
            };
            if (stage == 0 && candidate.Id == "0")
            {
                var header = generation.Header;
                attrs[UserAttrKeys.EvoParent] = WriteGenome(header.Parent);
                attrs[UserAttrKeys.EvoStall] = Text(header.Stall);
                if (header.ParentValue is { } value) attrs[UserAttrKeys.EvoParentValue] = value.ToString("R", CultureInfo.InvariantCulture);
                if (header.Seeds.Count > 0) attrs[UserAttrKeys.EvoSeeds] = JsonSerializer.Serialize(header.Seeds.Select(GenomeJson).ToList());
            }
            return Make(EvoRole, Combine(generation.Header.Context, candidate.Genome), _s.Tokens[stage], attrs);
        }

        private Proposal GpTrial(int? slot)
        {
            var rng = TrialRandom.For(_c.Seed, _c.TrialNumber, "hybrid-gp");
            var gpTrials = _own.Count(t => Role(t) == GpRole);
            var explore = GpSampler.ExploreDimension(_low, gpTrials, _s.GpSettings.BranchExplorationEvery);
            var context = _engine.Maximize(_low, ContextObservations(), rng, explore, _c.Cost)
                ?? _engine.DesignPoint(_low, CoveredContexts(), _own.Count(t => Role(t) is DesignRole or GpRole), _c.Seed, "hybrid");
            var attrs = new Dictionary<string, string>(StringComparer.Ordinal);
            if (slot is { } s) attrs[UserAttrKeys.HybridSlot] = Text(s);
            return Make(GpRole, Combine(context, Elite()), _s.TopTokens, attrs);
        }

        private Proposal Probe(Generation generation)
        {
            var rng = TrialRandom.For(_c.Seed, _c.TrialNumber, "hybrid-probe");
            var child = CoarseMutation.Mutate(generation.Header.Parent, _dimensions, generation.Header.Factor, _s.MaxMoves, rng);
            return Make(ProbeRole, Combine(generation.Header.Context, child), _s.TopTokens);
        }

        /// <summary>
        /// The GP's data: top-fidelity trials whose context is a point of the context space, one per
        /// context — its best Complete value (the allocation is the evolution's business), else Failed,
        /// else Running (a constant liar).
        /// </summary>
        private List<GpObservation> ContextObservations()
        {
            var groups = _c.History
                .Where(t => t.State != TrialState.Pruned && IsTopFidelity(t))
                .Select(t => (Trial: t, Context: ContextOf(t.Params)))
                .Where(x => x.Context is not null)
                .Select(x => (x.Trial, x.Context, Encoded: GpObservation.Encode(_low, x.Context!)))
                .Where(x => x.Encoded is not null)
                .GroupBy(x => ParamSet.Describe(x.Context!), StringComparer.Ordinal);
            var complete = new List<GpObservation>();
            var others = new List<GpObservation>();
            foreach (var group in groups)
            {
                var done = group.Where(x => x.Trial.State == TrialState.Complete && x.Trial.Value is { } v && double.IsFinite(v))
                    .OrderBy(x => x.Trial.Value).ThenBy(x => x.Trial.Number).FirstOrDefault();
                if (done.Trial is not null)
                {
                    complete.Add(new GpObservation(done.Context!, done.Encoded!, done.Trial.Value!.Value, ObservationKind.Complete, done.Trial.Number));
                    continue;
                }
                var first = group.OrderBy(x => x.Trial.Number).First();
                var kind = group.Any(x => x.Trial.State == TrialState.Failed) ? ObservationKind.Failed : ObservationKind.Pending;
                others.Add(new GpObservation(first.Context!, first.Encoded!, 0.0, kind, first.Trial.Number));
            }
            if (complete.Count == 0) return complete;
            var worst = complete.Max(o => o.Value);
            return [.. complete, .. others.Select(o => o with { Value = worst })];
        }

        private List<IReadOnlyDictionary<string, ParamValue>> CoveredContexts() =>
            _c.History.Where(t => t.State != TrialState.Pruned).Select(t => ContextOf(t.Params))
                .Where(c => c is not null && GpObservation.Encode(_low, c) is not null).Select(c => c!).ToList();

        /// <summary>Own trials at the top stage's tokens, and foreign ones scored without a fidelity (baselines, at the objective's default).</summary>
        private bool IsTopFidelity(FrozenTrial trial) =>
            IsOwn(trial) ? trial.FidelityTokens == _s.TopTokens : trial.FidelityTokens is null || trial.FidelityTokens == _s.TopTokens;

        private Proposal Make(string role, IReadOnlyDictionary<string, ParamValue> parameters, long tokens, Dictionary<string, string>? attrs = null)
        {
            attrs ??= new Dictionary<string, string>(StringComparer.Ordinal);
            attrs[UserAttrKeys.HybridRole] = role;
            attrs[UserAttrKeys.FidelityTokens] = tokens.ToString(CultureInfo.InvariantCulture);
            return new Proposal(parameters, attrs);
        }

        private IReadOnlyDictionary<string, ParamValue>? ContextOf(IReadOnlyDictionary<string, ParamValue> parameters)
        {
            var values = new List<KeyValuePair<string, ParamValue>>(_low.Dimensions.Count);
            foreach (var dimension in _low.Dimensions)
            {
                if (!parameters.TryGetValue(dimension.Name, out var value)) return null;
                values.Add(KeyValuePair.Create(dimension.Name, value));
            }
            return ParamSet.Freeze(values);
        }

        private IReadOnlyDictionary<string, ParamValue> Combine(IReadOnlyDictionary<string, ParamValue> context, Genome allocation)
        {
            var ratios = allocation.ToParams(_dimensions).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            return ParamSet.Freeze(_space.Dimensions.Select(d => KeyValuePair.Create(d.Name, d is LayerRatiosDimension ? ratios[d.Name] : context[d.Name])));
        }

        private Dictionary<string, double[]> GenomeJson(Genome genome) =>
            genome.ToParams(_dimensions).ToDictionary(p => p.Key, p => p.Value.AsVector.ToArray(), StringComparer.Ordinal);

        private string WriteGenome(Genome genome) => JsonSerializer.Serialize(GenomeJson(genome));

        private Genome? ReadGenome(string? json) =>
            json is null ? null : ReadGenome(JsonSerializer.Deserialize<Dictionary<string, double[]>>(json)!);

        private Genome? ReadGenome(Dictionary<string, double[]> byDimension) =>
            Genome.FromParams(_dimensions, byDimension.ToDictionary(p => p.Key, p => ParamValue.Of(p.Value), StringComparer.Ordinal));

        private static string? Role(FrozenTrial trial) => trial.UserAttr(UserAttrKeys.HybridRole);
    }

    /// <summary>Failed, pruned or non-finite evaluations rank last.</summary>
    private static double Fitness(FrozenTrial trial) =>
        trial.State == TrialState.Complete && trial.Value is { } value && double.IsFinite(value) ? value : double.PositiveInfinity;

    private static int AttrInt(FrozenTrial trial, string key) => int.Parse(trial.UserAttr(key)!, CultureInfo.InvariantCulture);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}

using System.Diagnostics;
using System.Globalization;
using Search.Optimization.Levels;
using Search.Optimization.Samplers;
using Search.Optimization.Spaces;
using Search.Optimization.Trials;
using Search.Pruning.Allocation;
using Search.Pruning.Levels;
using Search.Pruning.Surgery;
using Search.Records;
using static TorchSharp.torch;

namespace Search.Objective.Levels;

/// <summary>
/// <c>--sampler levels</c> (docs/methods.md §6b): the allocation search over a per-layer level database.
/// The hand-set baselines run first, as in every study. The best of them that meet the budget (by the
/// trials' own value) name the contexts — calibration pool, metric mixture, compensation — and each
/// searched trial continues one context's chain: a multi-fidelity evolution
/// (<see cref="LevelEvolution"/>) seeded from the context's best stored allocations scores hundreds of
/// candidate allocations assembled from the context's <see cref="LevelDatabase"/> (KL to the dense model
/// on growing token budgets), and the best one not yet stored becomes the trial — pruned and scored by the
/// ordinary objective, so every stored trial is an ordinary config (per-layer ratios) that exports and
/// resumes as any other. A pure function of (space, history, seed, trial number): the evolution's random
/// source is seeded from the study seed and trial number, and the database only caches.
/// </summary>
public sealed class LevelSampler : ISampler, IDisposable
{
    public const string SamplerName = "levels";
    public const string AttrKey = "levels";

    private readonly TrialRunner runner;
    private readonly LevelSearchSettings settings;
    private readonly Dictionary<string, LevelDatabase> databases = new(StringComparer.Ordinal);

    private readonly TextWriter? log;

    public LevelSampler(TrialRunner runner, LevelSearchSettings settings, TextWriter? log = null)
    {
        this.runner = runner;
        this.log = log;
        this.settings = settings.Validate();
        runner.PrepareTeacher(Math.Max(runner.Settings.ProxyWindows, StageWindows(settings.StageTokens.Count - 1)));
    }

    public string Name => SamplerName;

    public static bool IsName(string name) => string.Equals(name.Trim(), SamplerName, StringComparison.OrdinalIgnoreCase);

    private int StageWindows(int stage) =>
        (int)Math.Clamp(settings.StageTokens[stage] / runner.Settings.SeqLen, 1, runner.SearchSplit.Count);

    public Proposal Propose(SamplingContext context)
    {
        var history = context.History.Where(t => t.State == TrialState.Complete && t.Value is not null).ToList();
        var contexts = history.Where(t => t.UserAttr(UserAttrKeys.Baseline) is not null && BaselineRule.MeetsBudget(t) && Genome(t, AttentionUnit.KvGroup) is not null)
            .OrderBy(t => t.Value).ThenBy(t => t.Number)
            .Where(FitsMemory)
            .GroupBy(ContextKey).Select(g => g.First()).Take(settings.Contexts).ToList();
        if (contexts.Count == 0) return new RandomSampler().Propose(context); // no hand-set allocation to start from
        var units = Units(context.Space);
        var chains = contexts.SelectMany((b, i) => units.Select(u => (Baseline: b, Context: i, Unit: u))).ToList();
        int searched = context.History.Count(t => t.UserAttr(UserAttrKeys.Baseline) is null);
        var (baseline, contextIndex, unit) = chains[searched % chains.Count];
        string key = ChainKey(ContextKey(baseline), unit);
        var config = runner.Config(baseline.Params);
        if (!databases.TryGetValue(key, out var db))
            databases[key] = db = runner.LevelDatabase(config, unit);

        var sw = Stopwatch.StartNew();
        var problem = Problem(context.Space, unit);
        var fitness = new Fitness(this, db);
        bool InChain(FrozenTrial t) => ChainKey(t, context.Space) == key;
        var chain = history.Where(InChain).OrderBy(t => t.Value).ThenBy(t => t.Number).ToList();
        var stored = new HashSet<LevelGenome>(context.History.Where(InChain).Select(t => Genome(t, unit)).OfType<LevelGenome>());
        var parents = chain.Select(t => Genome(t, unit)).OfType<LevelGenome>().Select(fitness.Normalize).Distinct().Take(settings.Evolution.Parents).ToList();
        if (parents.Count == 0) parents = [fitness.Normalize(InUnits(Genome(baseline, AttentionUnit.KvGroup)!, unit))];
        var rng = new Random(unchecked(context.Seed * 1_000_003 + context.TrialNumber));
        var result = LevelEvolution.Run(problem, parents, fitness, settings.Evolution, rng);
        var pick = result.Ranked.FirstOrDefault(r => !stored.Contains(r.Genome));
        if (pick.Genome is null) return new RandomSampler().Propose(context);

        var p = new Dictionary<string, ParamValue>(baseline.Params, StringComparer.Ordinal)
        {
            ["structure"] = ParamValue.Of(AllocationSpec.PerLayerName),
            ["attention_ratios"] = ParamValue.Of(Ratios(pick.Genome.Attention, fitness.AttentionUnits)),
            ["mlp_ratios"] = ParamValue.Of(Ratios(pick.Genome.Mlp, fitness.Channels)),
        };
        if (HasUnitDimension(context.Space)) p["attention_unit"] = ParamValue.Of(AttentionUnitNames.Name(unit));
        var record = new LevelRecord(contextIndex, baseline.UserAttr(UserAttrKeys.Baseline)!, db.Compensation.ToString(),
            result.EvaluatedPerStage, settings.StageTokens.ToArray(), pick.Fitness, sw.Elapsed.TotalSeconds, db.RefitsSolved, db.RefitsReused,
            AttentionUnitNames.Name(unit));
        log?.WriteLine($"levels: trial {context.TrialNumber + 1} continues context {record.Context + 1} ({record.Baseline}, {record.Unit} levels): " +
                       $"{record.TotalCandidates} candidates ({string.Join("/", record.Candidates)} at {string.Join("/", record.StageTokens)} tokens) " +
                       $"in {record.Seconds:F1} s, fitness {record.Fitness:G5}");
        return new Proposal(p, new Dictionary<string, string>(StringComparer.Ordinal) { [AttrKey] = AttrJson.Serialize(record) });
    }

    /// <summary>
    /// The attention units the chains use: KV groups always; query heads inside the groups too when the space
    /// lets trials choose them and every layer is GQA (under MHA a query head is a KV group). Each context is
    /// continued once per unit, the chains taking turns.
    /// </summary>
    private List<AttentionUnit> Units(SearchSpace space)
    {
        var units = new List<AttentionUnit> { AttentionUnit.KvGroup };
        bool gqa = runner.Dense.Layers.All(l => l.Widths.GroupSize > 1);
        if (gqa && space.Dimensions.OfType<CategoricalDimension>().FirstOrDefault(d => d.Name == "attention_unit") is { } dim
            && dim.Choices.Any(c => c.Kind == ParamValueKind.Text && AttentionUnitNames.Parse(c.AsText) == AttentionUnit.QueryHead))
            units.Add(AttentionUnit.QueryHead);
        return units;
    }

    private static bool HasUnitDimension(SearchSpace space) => space.Dimensions.Any(d => d.Name == "attention_unit");

    /// <summary>A KV-group allocation in <paramref name="unit"/>: k of G groups removed become round(k·g/G) of the g heads per group (at most g − 1).</summary>
    private LevelGenome InUnits(LevelGenome kv, AttentionUnit unit)
    {
        if (unit == AttentionUnit.KvGroup) return kv;
        var layers = runner.Dense.Layers;
        return new LevelGenome(kv.Attention.Select((k, l) =>
        {
            var w = layers[l].Widths;
            return Math.Min(w.GroupSize - 1, (int)Math.Round((double)k * w.GroupSize / w.NumKvHeads, MidpointRounding.AwayFromZero));
        }).ToArray(), kv.MlpCopy());
    }

    /// <summary>
    /// Whether a context's database fits <see cref="LevelSearchSettings.MaxGramBytes"/>: a least-squares context holds every
    /// layer's Gram matrices (5.6 GB at TinyLlama-1.1B in float64); one that does not fit is left to the other contexts.
    /// </summary>
    private bool FitsMemory(FrozenTrial t)
    {
        if (!runner.Config(t.Params).Recipe.Compensation.Refits()) return true;
        long bytes = DenseGrams.BytesFor(runner.Dense.Config);
        if (bytes <= settings.MaxGramBytes) return true;
        if (warned.Add(ContextKey(t)))
            log?.WriteLine($"levels: skipping context {t.UserAttr(UserAttrKeys.Baseline)}: its least-squares database needs " +
                           $"{bytes / 1e9:F1} GB of Gram matrices, over the {settings.MaxGramBytes / 1e9:F1} GB bound");
        return false;
    }

    private readonly HashSet<string> warned = new(StringComparer.Ordinal);

    private static double[] Ratios(IReadOnlyList<int> removed, IReadOnlyList<int> units) =>
        removed.Select((r, l) => units[l] == 0 ? 0.0 : (double)r / units[l]).ToArray();

    /// <summary>
    /// The allocation space: per-layer bounds from the space's layer-ratio grids, unit costs from the dense model. In
    /// query-head units a layer's attention level is the heads removed from every group (at most g − 1: removing the
    /// block is a KV-group level), each level costing one query head per group.
    /// </summary>
    private LevelProblem Problem(SearchSpace space, AttentionUnit unit)
    {
        var dense = runner.Dense;
        var costs = dense.Layers.Select(LayerUnitCosts.Of).ToArray();
        double MaxOf(string module) => space.Dimensions.OfType<LayerRatiosDimension>().FirstOrDefault(d => d.Module == module)?.Max ?? 1.0;
        double attentionMax = MaxOf("attention"), mlpMax = MaxOf("mlp");
        int multiple = runner.Settings.MlpWidthMultiple;
        int step = Math.Max(multiple, (int)Math.Round(settings.MlpStep * costs.Max(c => c.Channels) / multiple) * multiple);
        long prunable = costs.Sum(c => c.AttentionTotal + c.MlpTotal);
        bool heads = unit == AttentionUnit.QueryHead;
        var attentionLevels = dense.Layers.Select((l, i) => heads
            ? Math.Min(l.Widths.GroupSize - 1, (int)Math.Floor(attentionMax * l.Widths.GroupSize + 1e-9))
            : (int)Math.Floor(attentionMax * costs[i].KvGroups + 1e-9)).ToArray();
        var attentionCosts = dense.Layers.Select((l, i) => heads ? l.Widths.NumKvHeads * costs[i].QueryHeadCost : costs[i].KvGroupCost).ToArray();
        return new LevelProblem(attentionLevels, attentionCosts,
            costs.Select(c => (int)Math.Floor(mlpMax * c.Channels / multiple + 1e-9) * multiple).ToArray(), costs.Select(c => c.ChannelCost).ToArray(),
            runner.Settings.Ratio * prunable, step, multiple);
    }

    /// <summary>Candidates scored by KL to the dense model on the stage's first search-split windows, assembled from the database.</summary>
    private sealed class Fitness(LevelSampler owner, LevelDatabase db) : ILevelFitness
    {
        private readonly Dictionary<LevelGenome, PruningPlan> plans = new();

        /// <summary>Per layer, the attention units a ratio counts: KV groups, or the heads of one group.</summary>
        public int[] AttentionUnits { get; } = owner.runner.Dense.Layers
            .Select(l => db.Unit == AttentionUnit.QueryHead ? l.Widths.GroupSize : l.Widths.NumKvHeads).ToArray();
        public int[] Channels { get; } = owner.runner.Dense.Layers.Select(l => l.Widths.IntermediateSize).ToArray();

        private PruningPlan PlanOf(LevelGenome g)
        {
            if (plans.TryGetValue(g, out var plan)) return plan;
            var ratios = new LayerRatios(Ratios(g.Attention, AttentionUnits), Ratios(g.Mlp, Channels));
            plan = db.Plan(ratios, owner.runner.Settings.Ratio, owner.runner.Settings.MlpWidthMultiple);
            plans[g] = plan;
            return plan;
        }

        /// <summary>The allocation the objective will build for a candidate: its exact budget repair applied.</summary>
        public LevelGenome Normalize(LevelGenome g)
        {
            var plan = PlanOf(g);
            var n = new LevelGenome(plan.Layers.Select(l => db.Unit == AttentionUnit.QueryHead
                    ? l.GroupSize - l.KeptHeadsPerGroup
                    : l.KvGroupsBefore - l.KeptKvGroups.Length).ToArray(),
                plan.Layers.Select(l => l.ChannelsBefore - l.KeptChannels.Length).ToArray());
            plans.TryAdd(n, plan);
            return n;
        }

        public double Evaluate(LevelGenome g, int stage)
        {
            using var scope = NewDisposeScope();
            using var model = db.Assemble(PlanOf(g));
            var (kl, ppl) = owner.runner.ProxyScores(model, owner.StageWindows(stage));
            double value = owner.settings.Fitness == ObjectiveSettings.PerplexityFitness ? ppl : kl;
            return double.IsFinite(value) ? value : double.MaxValue;
        }
    }

    /// <summary>
    /// The allocation a stored trial applied, from its plan summary, in <paramref name="unit"/>: KV groups removed per
    /// layer, or query heads removed per group (null without a plan, or when the trial removed KV heads and the unit
    /// is query heads).
    /// </summary>
    private static LevelGenome? Genome(FrozenTrial t, AttentionUnit unit)
    {
        if (AttrJson.TryDeserialize<PlanSummary>(t.UserAttr(TrialAttrs.Plan)) is not { DenseLayers: { } dense } plan) return null;
        var mlp = plan.Layers.Select((l, i) => dense[i].Channels - l.Channels).ToArray();
        if (unit == AttentionUnit.KvGroup) return new LevelGenome(plan.Layers.Select((l, i) => dense[i].KvHeads - l.KvHeads).ToArray(), mlp);
        if (plan.Layers.Where((l, i) => l.KvHeads != dense[i].KvHeads).Any()) return null;
        return new LevelGenome(plan.Layers.Select((l, i) => dense[i].KvHeads == 0 ? 0 : (dense[i].Heads - l.Heads) / dense[i].KvHeads).ToArray(), mlp);
    }

    /// <summary>The chain a trial belongs to: its context and the attention unit of its allocation (hand-set rules remove KV groups).</summary>
    private static string ChainKey(FrozenTrial t, SearchSpace space)
    {
        bool perLayer = t.Params.TryGetValue("structure", out var s) && s.Kind == ParamValueKind.Text && s.AsText == AllocationSpec.PerLayerName;
        var unit = perLayer && HasUnitDimension(space) && t.Params.TryGetValue("attention_unit", out var u) && u.Kind == ParamValueKind.Text
            ? AttentionUnitNames.Parse(u.AsText) : AttentionUnit.KvGroup;
        return ChainKey(ContextKey(t), unit);
    }

    private static string ChainKey(string context, AttentionUnit unit) => context + "|" + AttentionUnitNames.Name(unit);

    /// <summary>What a context shares: calibration pool, metric mixture, compensation.</summary>
    private static string ContextKey(FrozenTrial t)
    {
        string V(string name) => t.Params.TryGetValue(name, out var v)
            ? v.Kind == ParamValueKind.Vector ? string.Join(",", v.AsVector.Select(x => x.ToString("R", CultureInfo.InvariantCulture)))
              : v.Kind == ParamValueKind.Text ? v.AsText : v.AsReal.ToString("R", CultureInfo.InvariantCulture)
            : "";
        return string.Join("|", new[] { "calibration_source", "calibration_samples", "calibration_seqlen", "calibration_seed", TrialParams.MixName, "compensation" }.Select(V));
    }

    public void Dispose()
    {
        foreach (var db in databases.Values) db.Dispose();
        databases.Clear();
    }
}

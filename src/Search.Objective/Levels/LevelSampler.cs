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
        var contexts = history.Where(t => t.UserAttr(UserAttrKeys.Baseline) is not null && BaselineRule.MeetsBudget(t) && Genome(t) is not null)
            .OrderBy(t => t.Value).ThenBy(t => t.Number)
            .Where(FitsMemory)
            .GroupBy(ContextKey).Select(g => g.First()).Take(settings.Contexts).ToList();
        if (contexts.Count == 0) return new RandomSampler().Propose(context); // no hand-set allocation to start from
        int searched = context.History.Count(t => t.UserAttr(UserAttrKeys.Baseline) is null);
        var baseline = contexts[searched % contexts.Count];
        string key = ContextKey(baseline);
        var config = runner.Config(baseline.Params);
        if (!databases.TryGetValue(key, out var db))
            databases[key] = db = runner.LevelDatabase(config);

        var sw = Stopwatch.StartNew();
        var problem = Problem(context.Space);
        var fitness = new Fitness(this, db, problem);
        var chain = history.Where(t => ContextKey(t) == key).OrderBy(t => t.Value).ThenBy(t => t.Number).ToList();
        var stored = new HashSet<LevelGenome>(context.History.Where(t => ContextKey(t) == key).Select(Genome).OfType<LevelGenome>());
        var parents = chain.Select(Genome).OfType<LevelGenome>().Select(fitness.Normalize).Distinct().Take(settings.Evolution.Parents).ToList();
        var rng = new Random(unchecked(context.Seed * 1_000_003 + context.TrialNumber));
        var result = LevelEvolution.Run(problem, parents, fitness, settings.Evolution, rng);
        var pick = result.Ranked.FirstOrDefault(r => !stored.Contains(r.Genome));
        if (pick.Genome is null) return new RandomSampler().Propose(context);

        var p = new Dictionary<string, ParamValue>(baseline.Params, StringComparer.Ordinal)
        {
            ["structure"] = ParamValue.Of(AllocationSpec.PerLayerName),
            ["attention_ratios"] = ParamValue.Of(Ratios(pick.Genome.Attention, problem.AttentionMax, fitness.Groups)),
            ["mlp_ratios"] = ParamValue.Of(Ratios(pick.Genome.Mlp, problem.MlpMax, fitness.Channels)),
        };
        if (context.Space.Dimensions.Any(d => d.Name == "attention_unit")) p["attention_unit"] = ParamValue.Of(AttentionUnitNames.Name(AttentionUnit.KvGroup));
        var record = new LevelRecord(contexts.IndexOf(baseline), baseline.UserAttr(UserAttrKeys.Baseline)!, db.Compensation.ToString(),
            result.EvaluatedPerStage, settings.StageTokens.ToArray(), pick.Fitness, sw.Elapsed.TotalSeconds, db.RefitsSolved, db.RefitsReused);
        log?.WriteLine($"levels: trial {context.TrialNumber + 1} continues context {record.Context + 1} ({record.Baseline}): " +
                       $"{record.TotalCandidates} candidates ({string.Join("/", record.Candidates)} at {string.Join("/", record.StageTokens)} tokens) " +
                       $"in {record.Seconds:F1} s, fitness {record.Fitness:G5}");
        return new Proposal(p, new Dictionary<string, string>(StringComparer.Ordinal) { [AttrKey] = AttrJson.Serialize(record) });
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

    private static double[] Ratios(IReadOnlyList<int> removed, IReadOnlyList<int> max, IReadOnlyList<int> units) =>
        removed.Select((r, l) => units[l] == 0 ? 0.0 : (double)r / units[l]).ToArray();

    /// <summary>The allocation space: per-layer bounds from the space's layer-ratio grids, unit costs from the dense model.</summary>
    private LevelProblem Problem(SearchSpace space)
    {
        var dense = runner.Dense;
        var costs = dense.Layers.Select(LayerUnitCosts.Of).ToArray();
        double MaxOf(string module) => space.Dimensions.OfType<LayerRatiosDimension>().FirstOrDefault(d => d.Module == module)?.Max ?? 1.0;
        double attentionMax = MaxOf("attention"), mlpMax = MaxOf("mlp");
        int multiple = runner.Settings.MlpWidthMultiple;
        int step = Math.Max(multiple, (int)Math.Round(settings.MlpStep * costs.Max(c => c.Channels) / multiple) * multiple);
        long prunable = costs.Sum(c => c.AttentionTotal + c.MlpTotal);
        return new LevelProblem(
            costs.Select(c => (int)Math.Floor(attentionMax * c.KvGroups + 1e-9)).ToArray(), costs.Select(c => c.KvGroupCost).ToArray(),
            costs.Select(c => (int)Math.Floor(mlpMax * c.Channels / multiple + 1e-9) * multiple).ToArray(), costs.Select(c => c.ChannelCost).ToArray(),
            runner.Settings.Ratio * prunable, step, multiple);
    }

    /// <summary>Candidates scored by KL to the dense model on the stage's first search-split windows, assembled from the database.</summary>
    private sealed class Fitness(LevelSampler owner, LevelDatabase db, LevelProblem problem) : ILevelFitness
    {
        private readonly Dictionary<LevelGenome, PruningPlan> plans = new();
        public int[] Groups { get; } = owner.runner.Dense.Layers.Select(l => l.Widths.NumKvHeads).ToArray();
        public int[] Channels { get; } = owner.runner.Dense.Layers.Select(l => l.Widths.IntermediateSize).ToArray();

        private PruningPlan PlanOf(LevelGenome g)
        {
            if (plans.TryGetValue(g, out var plan)) return plan;
            var ratios = new LayerRatios(Ratios(g.Attention, problem.AttentionMax, Groups), Ratios(g.Mlp, problem.MlpMax, Channels));
            plan = db.Plan(ratios, owner.runner.Settings.Ratio, owner.runner.Settings.MlpWidthMultiple);
            plans[g] = plan;
            return plan;
        }

        /// <summary>The allocation the objective will build for a candidate: its exact budget repair applied.</summary>
        public LevelGenome Normalize(LevelGenome g)
        {
            var plan = PlanOf(g);
            var n = new LevelGenome(plan.Layers.Select(l => l.KvGroupsBefore - l.KeptKvGroups.Length).ToArray(),
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

    /// <summary>The allocation a stored trial applied, from its plan summary (null without one).</summary>
    private static LevelGenome? Genome(FrozenTrial t)
    {
        if (AttrJson.TryDeserialize<PlanSummary>(t.UserAttr(TrialAttrs.Plan)) is not { DenseLayers: { } dense } plan) return null;
        return new LevelGenome(plan.Layers.Select((l, i) => dense[i].KvHeads - l.KvHeads).ToArray(),
            plan.Layers.Select((l, i) => dense[i].Channels - l.Channels).ToArray());
    }

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

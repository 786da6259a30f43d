using System.Diagnostics;
using Search.Model;
using Search.Optimization.Trials;
using Search.Pruning.Evaluation;
using Search.Pruning.Pruning.Allocation;
using Search.Pruning.Pruning.Metrics;
using Search.Pruning.Pruning.Statistics;
using Search.Pruning.Pruning.Surgery;
using Search.Reporting.Records;
using static TorchSharp.torch;

namespace Search.Cli.Runner;

/// <summary>
/// The inner evaluator: a trial's config → calibration statistics (a sum over pool windows) →
/// metric-mixture scores → allocation under the global budget → index_select surgery → perplexity.
/// The dense model is shared by all trials; each pruned model lives only inside its trial.
/// </summary>
public sealed class TrialRunner(Transformer dense, CalibrationPools pools, ObjectiveSettings settings,
    EvalSet searchSplit, EvalSet testSplit, IReadOnlyList<string>? mixComponents = null)
{
    public ObjectiveSettings Settings => settings;
    public EvalSet SearchSplit => searchSplit;
    public EvalSet TestSplit => testSplit;

    /// <summary>Plan (and the statistics it used) for a config, with stage timings.</summary>
    public (PruningPlan Plan, ChannelStats? Stats, double StatsSeconds, double ScoringSeconds) Plan(TrialConfig c)
    {
        var sw = Stopwatch.StartNew();
        var mixture = MetricMixture.Create(c.MetricMix);
        ChannelStats? stats = mixture.NeedsStatistics || c.Compensation != Compensation.None
            ? pools.Statistics(c.CalibrationSource, c.CalibrationSeqLen, c.CalibrationSamples, c.CalibrationSeed)
            : null;
        double statsSeconds = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var scores = mixture.Score(dense, stats);
        var plan = c.Structure switch
        {
            // Every config of a study meets the same budget (± half an MLP channel): AL-AM alone
            // lands within one KV group, which is coarse on small models.
            "al-am" => BudgetRepair.Repair(dense, scores,
                Allocator.Allocate(dense, scores, PruningStructure.AdaptiveLayersAdaptiveModules, settings.Ratio), settings.Ratio),
            "ul-um" => BudgetRepair.Repair(dense, scores,
                Allocator.Allocate(dense, scores, PruningStructure.UniformLayersUniformModules, settings.Ratio), settings.Ratio),
            "per-layer" => BudgetRepair.Repair(dense, scores,
                Allocator.AllocateLayerRatios(dense, scores, new LayerRatios(
                    c.AttentionRatios ?? throw new UserInputException("structure per-layer needs attention_ratios"),
                    c.MlpRatios ?? throw new UserInputException("structure per-layer needs mlp_ratios"))), settings.Ratio),
            var other => throw new UserInputException($"structure '{other}' is not al-am, ul-um or per-layer"),
        };
        return (plan, stats, statsSeconds, sw.Elapsed.TotalSeconds);
    }

    /// <summary>The pruned model of a config (the caller disposes it).</summary>
    public Transformer Build(TrialConfig c, out PruningPlan plan)
    {
        var (p, stats, _, _) = Plan(c);
        plan = p;
        return Surgery.Apply(dense, p, stats, c.Compensation);
    }

    /// <summary>Scores one trial on the proxy budget (or the sampler's fidelity) of the search split.</summary>
    public TrialOutcome Evaluate(Trial trial)
    {
        var c = TrialConfig.FromParams(trial.Params, mixComponents);
        using var scope = NewDisposeScope();
        var (plan, stats, statsS, scoringS) = Plan(c);
        var sw = Stopwatch.StartNew();
        using var pruned = Surgery.Apply(dense, plan, stats, c.Compensation);
        double surgeryS = sw.Elapsed.TotalSeconds;
        sw.Restart();
        int windows = trial.FidelityTokens is long tokens
            ? (int)Math.Max(1, tokens / settings.SeqLen)
            : settings.ProxyWindows;
        var proxy = searchSplit.Take(windows);
        var (sum, scored) = PerplexityEvaluator.NllSum(pruned, proxy.Ids, proxy.Count, proxy.SeqLen);
        double ppl = Math.Exp(sum / scored);
        double evalS = sw.Elapsed.TotalSeconds;
        trial.SetUserAttr(TrialAttrs.Plan, AttrJson.Serialize(Summarize(plan, pruned)));
        trial.SetUserAttr(TrialAttrs.Timings, AttrJson.Serialize(new TrialTimings(statsS, scoringS, surgeryS, evalS)));
        var score = new TrialScore("ppl", ppl, proxy.Split, scored, proxy.SeqLen, proxy.Bos);
        return double.IsFinite(ppl)
            ? TrialOutcome.Completed(ppl, [score])
            : TrialOutcome.Failed($"perplexity is {ppl}", [score]);
    }

    /// <summary>Full search-split and test-split perplexity of a finished trial's config.</summary>
    public FinalScores Finalize(IReadOnlyDictionary<string, ParamValue> parameters)
    {
        var sw = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        using var pruned = Build(TrialConfig.FromParams(parameters, mixComponents), out _);
        var (s1, n1) = PerplexityEvaluator.NllSum(pruned, searchSplit.Ids, searchSplit.Count, searchSplit.SeqLen);
        var (s2, n2) = PerplexityEvaluator.NllSum(pruned, testSplit.Ids, testSplit.Count, testSplit.SeqLen);
        return new FinalScores(Math.Exp(s1 / n1), searchSplit.Split, n1, Math.Exp(s2 / n2), testSplit.Split, n2, sw.Elapsed.TotalSeconds);
    }

    /// <summary>Test-split perplexity of a config (seed-spread measurements).</summary>
    public double TestPerplexity(IReadOnlyDictionary<string, ParamValue> parameters)
    {
        using var scope = NewDisposeScope();
        using var pruned = Build(TrialConfig.FromParams(parameters, mixComponents), out _);
        var (sum, n) = PerplexityEvaluator.NllSum(pruned, testSplit.Ids, testSplit.Count, testSplit.SeqLen);
        return Math.Exp(sum / n);
    }

    public static string Serialize<T>(T value) => AttrJson.Serialize(value);

    public static T? Deserialize<T>(string? json) => AttrJson.Deserialize<T>(json);

    private PlanSummary Summarize(PruningPlan plan, Transformer pruned) => new(
        plan.Structure, plan.TargetRatio, plan.AchievedRatio, plan.PrunableParams, plan.RemovedParams,
        dense.ParameterCount(), pruned.ParameterCount(),
        Widths(pruned), Widths(dense));

    private static List<LayerWidthSummary> Widths(Transformer model) =>
        model.Config.Layers.Select(l => new LayerWidthSummary(l.NumHeads, l.NumKvHeads, l.IntermediateSize)).ToList();
}

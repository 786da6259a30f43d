using System.Diagnostics;
using Search.Data;
using Search.Data.Evaluation;
using Search.Model;
using Search.Optimization.Trials;
using Search.Pruning.Allocation;
using Search.Pruning.Metrics;
using Search.Pruning.Pipeline;
using Search.Pruning.Statistics;
using Search.Pruning.Surgery;
using Search.Records;
using Search.Model.Runtime;
using static TorchSharp.torch;

namespace Search.Objective;

/// <summary>
/// The inner evaluator: pipeline + pool statistics + budget + proxy evaluation. A trial's config →
/// calibration statistics (a sum over pool windows) → the one pruning pipeline (scores, allocation
/// repaired to the study's budget, surgery) → perplexity on the proxy windows of the search split.
/// The dense model is shared by all trials; each pruned model lives only inside its trial.
/// </summary>
public sealed class TrialRunner(Transformer dense, CalibrationPools pools, ObjectiveSettings settings,
    EvalSet searchSplit, EvalSet testSplit, IReadOnlyList<string> mixComponents) : IDisposable
{
    private TeacherDistribution? teacher;
    private readonly UnitScoreCache unitScores = new(dense);

    /// <summary>The dense model's distributions on the first <paramref name="windows"/> proxy windows, computed once (and again only for more windows).</summary>
    private TeacherDistribution Teacher(int windows)
    {
        if (teacher is null || teacher.Windows < windows)
        {
            teacher?.Dispose();
            var set = searchSplit.Take(Math.Max(windows, settings.ProxyWindows));
            teacher = TeacherDistribution.Of(dense, set.Ids, set.Count, set.SeqLen);
        }
        return teacher;
    }

    public void Dispose() => teacher?.Dispose();

    /// <summary>
    /// Computes the teacher once for at least <paramref name="windows"/> proxy windows, before any trial: a sampler
    /// that scores on more windows than the trials (the level search) then never changes the teacher mid-study,
    /// so a resumed study scores exactly as an uninterrupted one.
    /// </summary>
    public void PrepareTeacher(int windows) => Teacher(Math.Min(windows, searchSplit.Count));

    /// <summary>Mean per-token KL(dense ‖ model) and perplexity on the first <paramref name="windows"/> windows of the search split.</summary>
    public (double Kl, double Ppl) ProxyScores(IDecoderLayers model, int windows)
    {
        var set = searchSplit.Take(Math.Min(windows, searchSplit.Count));
        var (nll, kl) = PerplexityEvaluator.Scores(model, set.Ids, set.Count, set.SeqLen, Teacher(set.Count));
        return (kl!.Value / nll.Tokens, nll.Perplexity);
    }

    public Transformer Dense => dense;

    /// <summary>The level database of a config's context (its pool, mixture and compensation) in <paramref name="unit"/>; the caller disposes it.</summary>
    public Search.Pruning.Levels.LevelDatabase LevelDatabase(TrialConfig c, AttentionUnit unit)
    {
        var pool = c.Calibration;
        ChannelStats? stats = c.Recipe.NeedsStatistics ? pools.Statistics(pool.Source, pool.SeqLen, pool.Samples, pool.Seed) : null;
        var scores = c.Recipe.Mixture.Score(dense, stats);
        var windows = ReconstructionWindows(c);
        return new Search.Pruning.Levels.LevelDatabase(dense, scores, stats, c.Recipe.Compensation, unit,
            windows?.Tokens);
    }

    public ObjectiveSettings Settings => settings;
    public EvalSet SearchSplit => searchSplit;
    public EvalSet TestSplit => testSplit;

    /// <summary>The typed config of stored params.</summary>
    public TrialConfig Config(IReadOnlyDictionary<string, ParamValue> parameters) =>
        TrialConfig.From(TrialParams.Decode(parameters, mixComponents), settings.Ratio, settings.MlpWidthMultiple);

    /// <summary>The calibration windows a least-squares reconstruction of the config fits on (null for other compensations).</summary>
    private CalibrationWindows? ReconstructionWindows(TrialConfig c) =>
        c.Recipe.Compensation.Refits()
            ? pools.Windows(c.Calibration.Source, c.Calibration.SeqLen, c.Calibration.Samples, c.Calibration.Seed)
            : null;

    /// <summary>Plan (and the statistics it used) for a config, with stage timings.</summary>
    public (PruningPlan Plan, ChannelStats? Stats, double StatsSeconds, double ScoringSeconds) Plan(TrialConfig c)
    {
        var sw = Stopwatch.StartNew();
        var pool = c.Calibration;
        ChannelStats? stats = c.Recipe.NeedsStatistics ? pools.Statistics(pool.Source, pool.SeqLen, pool.Samples, pool.Seed) : null;
        double statsSeconds = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var plan = PrunePipeline.Plan(dense, stats, c.Recipe, unitScores);
        return (plan, stats, statsSeconds, sw.Elapsed.TotalSeconds);
    }

    /// <summary>The pruned model of stored params, built layer by layer on use (the caller disposes it: it may hold least-squares refits).</summary>
    public PrunedLayers Build(IReadOnlyDictionary<string, ParamValue> parameters, out PruningPlan plan)
    {
        var c = Config(parameters);
        var (p, stats, _, _) = Plan(c);
        plan = p;
        return PrunePipeline.Pruned(dense, p, stats, c.Recipe, ReconstructionWindows(c)?.Tokens);
    }

    /// <summary>The proxy windows a trial is scored on: its fidelity budget (multi-fidelity samplers) or the study's proxy windows.</summary>
    public EvalSet ProxyFor(long? fidelityTokens) =>
        searchSplit.Take(fidelityTokens is long tokens ? (int)Math.Max(1, tokens / settings.SeqLen) : settings.ProxyWindows);

    /// <summary>Scores one trial on the proxy budget (or the sampler's fidelity) of the search split.</summary>
    public TrialOutcome Evaluate(Trial trial)
    {
        try { return EvaluateOnce(trial); }
        finally { NativeMemory.Trim(); } // the trial's tensors are gone: give their pages back so RSS stays flat
    }

    private TrialOutcome EvaluateOnce(Trial trial)
    {
        var c = Config(trial.Params);
        using var scope = NewDisposeScope();
        var (plan, stats, statsS, scoringS) = Plan(c);
        var sw = Stopwatch.StartNew();
        using var pruned = PrunePipeline.Pruned(dense, plan, stats, c.Recipe, ReconstructionWindows(c)?.Tokens);
        double reconstructionS = sw.Elapsed.TotalSeconds;
        // Surgery happens layer by layer inside the evaluation (no pruned copy of the model exists);
        // PrunedLayers times its own share of it (the reconstruction's included, counted there).
        sw.Restart();
        double surgeryBefore = pruned.SurgerySeconds;
        var proxy = ProxyFor(trial.FidelityTokens);
        var (nll, klSum) = PerplexityEvaluator.Scores(pruned, proxy.Ids, proxy.Count, proxy.SeqLen, Teacher(proxy.Count));
        double ppl = nll.Perplexity;
        double kl = klSum!.Value / nll.Tokens;
        double surgeryS = pruned.SurgerySeconds - surgeryBefore;
        double evalS = sw.Elapsed.TotalSeconds - surgeryS;
        var summary = Summarize(plan, pruned);
        trial.SetUserAttr(TrialAttrs.Plan, AttrJson.Serialize(summary));
        trial.SetUserAttr(TrialAttrs.AllocationRatios, AttrJson.Serialize(AllocationRatios.Of(summary)));
        trial.SetUserAttr(TrialAttrs.Timings, AttrJson.Serialize(new TrialTimings(statsS, scoringS, surgeryS, evalS, reconstructionS)));
        TrialScore[] scores =
        [
            new("ppl", ppl, proxy.Split, nll.Tokens, proxy.SeqLen, proxy.Bos),
            new("kl", kl, proxy.Split, nll.Tokens, proxy.SeqLen, proxy.Bos),
        ];
        double value = settings.Fitness == ObjectiveSettings.KlFitness ? kl : ppl;
        return double.IsFinite(ppl) && double.IsFinite(kl)
            ? TrialOutcome.Completed(value, scores)
            : TrialOutcome.Failed($"perplexity is {ppl}, KL {kl}", scores);
    }

    /// <summary>Search-split and test-split perplexity of a finished trial's config (each capped at the study's final token budget).</summary>
    public FinalScores Finalize(IReadOnlyDictionary<string, ParamValue> parameters)
    {
        var sw = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        using var pruned = Build(parameters, out _);
        var search = Score(pruned, searchSplit.TakeTokens(settings.FinalTokens));
        var test = Score(pruned, testSplit.TakeTokens(settings.FinalTokens));
        return new FinalScores(search.Perplexity, searchSplit.Split, search.Tokens, test.Perplexity, testSplit.Split, test.Tokens,
            sw.Elapsed.TotalSeconds);
    }

    /// <summary>Test-split perplexity of a config (seed-spread measurements).</summary>
    public double TestPerplexity(IReadOnlyDictionary<string, ParamValue> parameters)
    {
        using var scope = NewDisposeScope();
        using var pruned = Build(parameters, out _);
        return Score(pruned, testSplit.TakeTokens(settings.FinalTokens)).Perplexity;
    }

    private static NllTotal Score(IDecoderLayers model, EvalSet set) => PerplexityEvaluator.NllSum(model, set.Ids, set.Count, set.SeqLen);

    private PlanSummary Summarize(PruningPlan plan, IDecoderLayers pruned) => new(
        plan.Structure, plan.TargetRatio, plan.AchievedRatio, plan.PrunableParams, plan.RemovedParams,
        dense.Config.ParameterCount(), pruned.Config.ParameterCount(),
        Widths(pruned.Config), Widths(dense.Config));

    private static List<LayerWidthSummary> Widths(ModelConfig config) =>
        config.Layers.Select(l => new LayerWidthSummary(l.NumHeads, l.NumKvHeads, l.IntermediateSize)).ToList();
}

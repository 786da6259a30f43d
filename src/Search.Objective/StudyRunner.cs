using System.Diagnostics;
using System.Reflection;
using Search.Data;
using Search.Training;
using Search.Model;
using Search.Model.Checkpoints;
using Search.Model.Runtime;
using Search.Optimization;
using Search.Optimization.Samplers;
using Search.Optimization.Spaces;
using Search.Optimization.Storage;
using Search.Optimization.Trials;
using Search.Pruning.Allocation;
using Search.Records;

namespace Search.Objective;

/// <summary>
/// Creates or resumes a study and runs it to <see cref="StudyRunOptions.Trials"/> trials, then
/// finalizes it (<see cref="StudyFinalizer"/>). Every proposal is stored as Running before it is
/// evaluated, so a killed run resumes exactly. The caller initializes the torch runtime.
/// </summary>
public static class StudyRunner
{
    /// <summary>Runs the study; returns its trials as stored at the end.</summary>
    public static IReadOnlyList<FrozenTrial> Run(TextWriter log, StudyRunOptions o)
    {
        EnsureValid(o);
        bool levels = Levels.LevelSampler.IsName(o.Sampler);
        ISampler? named = levels ? null : SamplerFactory.Create(o.Sampler);
        var bos = BosModes.Parse(o.Bos);
        var residency = WeightResidencies.Parse(o.Weights);
        var loaded = ModelSources.Load(o.Model, Checkpoint.ParseDtype(o.Dtype), TorchRuntime.ResolveDevice(o.Device), log, residency);
        using var model = loaded;
        var bound = SearchSpace.Load(o.SpacePath).BindLayerCount(loaded.Model.Config.NumLayers);
        if (bound.HasLayerRatios) bound = bound.WithLayerRatioTarget(o.Ratio);
        WidthRounding.EnsureFits(loaded.Model.Config, o.WidthMultiple);
        var settings = new ObjectiveSettings(o.Ratio, o.EvalDataset, o.SeqLen, BosModes.Name(bos),
            o.ProxyWindows, o.Finalists, o.PoolSize ?? StudyValidation.MaxSamples(bound), o.FinalTokens, ObjectiveSettings.FitnessOf(o.Fitness)!,
            o.WidthMultiple == 1 ? null : o.WidthMultiple);
        // Everything the trials will ask for is checked now: a study that cannot run stores nothing.
        var tokens = TokenCache.OpenDefault();
        StudyValidation.Ensure(o.SpacePath, bound, loaded.Model, loaded.Tokenizer, tokens, settings,
            source => EvalSplits.CalibrationSource(source, o.DataDir));
        using var storage = StorageLocator.Open(o.Db, readOnly: false);
        var levelSettings = levels ? Levels.LevelSearchSettingsJson.FromSpace(bound.SourceJson, o.SpacePath) : null;
        using var setup = SearchSetup.Create(loaded, settings, o.DataDir, bound, log);
        // The level search needs the objective itself (its database assembles pruned models), so it is built here.
        using var levelSampler = levelSettings is null ? null : new Levels.LevelSampler(setup.Runner, levelSettings, log);
        var sampler = named ?? levelSampler!;
        var record = new StudyRecord(o.Study, loaded.Dir, loaded.Hash, bound.SourceJson, bound.LayerCount,
            sampler.Name, o.Seed, AttrJson.Serialize(settings), SoftwareVersion);
        var heartbeat = o.GraceSeconds is double grace
            ? new HeartbeatSettings(TimeSpan.FromSeconds(Math.Max(0.5, grace / 6)), TimeSpan.FromSeconds(grace), TimeSpan.FromSeconds(Math.Max(0.2, Math.Min(2, grace / 10))))
            : HeartbeatSettings.Default;
        if (o.CostAware)
            sampler = new CostAwareSampler(sampler, new TrialCostModel(settings.PoolSize, settings.ProxyWindows * settings.SeqLen, TrialParams.MixComponentsOf(bound)));
        var study = Study.CreateOrResume(storage, record, bound, sampler, heartbeat: heartbeat);
        log.WriteLine($"study '{study.Name}' in {storage.DisplayName}");
        study.EnqueueBaselines();
        RunTrials(log, study, setup.Runner, o.Trials);
        var trials = storage.GetTrials(study.Name);
        if (trials.Count > 0 && trials.All(t => t.State == TrialState.Failed))
            throw new StudyFailedException($"study '{study.Name}': every trial failed; the first: {trials[0].Error}");
        // Finalisation runs once for the study, whichever worker claims it; the others wait for it.
        study.RunOnce(Study.FinalizeTask, ct => StudyFinalizer.Run(log, storage, study, setup.Runner, ct));
        if (o.Speed is { } speed)
            study.RunOnce(StudyFinalizer.SpeedTask, ct => StudyFinalizer.MeasureSpeed(log, storage, study, setup.Runner, loaded.Model, loaded.Dir, speed, ct));
        if (o.Tasks is { } tasks)
            study.RunOnce(StudyTaskScoring.Task, ct => StudyTaskScoring.Run(log, storage, study, setup.Runner, loaded.Tokenizer, tasks, ct));
        return storage.GetTrials(study.Name);
    }

    /// <summary>
    /// Guards against a caller that skipped its own checks: <c>search</c> validates its flags and
    /// <c>reproduce</c> its experiment file (naming what the user wrote) before anything runs, so
    /// these messages name only the option's property.
    /// </summary>
    private static void EnsureValid(StudyRunOptions o)
    {
        PruningRatio.Ensure(o.Ratio);
        ArgumentOutOfRangeException.ThrowIfLessThan(o.Trials, 1, nameof(o.Trials));
        ArgumentOutOfRangeException.ThrowIfLessThan(o.ProxyWindows, 1, nameof(o.ProxyWindows));
        ArgumentOutOfRangeException.ThrowIfLessThan(o.SeqLen, 2, nameof(o.SeqLen));
        ArgumentOutOfRangeException.ThrowIfLessThan(o.Finalists, 0, nameof(o.Finalists));
        ArgumentOutOfRangeException.ThrowIfLessThan(o.PoolSize ?? 1, 1, nameof(o.PoolSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(o.WidthMultiple, 1, nameof(o.WidthMultiple));
        ArgumentOutOfRangeException.ThrowIfLessThan(o.FinalTokens ?? 1, 1, nameof(o.FinalTokens));
        if (o.GraceSeconds is double g && !(g > 0)) throw new ArgumentOutOfRangeException(nameof(o.GraceSeconds), g, "must be a positive number of seconds");
        if (ObjectiveSettings.FitnessOf(o.Fitness) is null)
            throw new ArgumentException($"unknown fitness '{o.Fitness}' (expected {ObjectiveSettings.FitnessNames})", nameof(o.Fitness));
        if (!File.Exists(o.SpacePath)) throw new FileNotFoundException($"search space {o.SpacePath} not found", o.SpacePath);
    }

    public static string SoftwareVersion =>
        typeof(StudyRunner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "dev";

    private static void RunTrials(TextWriter log, Study study, TrialRunner runner, int total)
    {
        var sw = Stopwatch.StartNew();
        int before = study.Trials.Count;
        log.WriteLine(before >= total
            ? $"study '{study.Name}' already has {before} trials (of {total})"
            : $"study '{study.Name}': {before} trials stored, running to {total}");
        study.Optimize(trial =>
        {
            TrialOutcome outcome;
            try { outcome = runner.Evaluate(trial); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                outcome = TrialOutcome.Failed(e.Message.ReplaceLineEndings(" "));
            }
            var trials = study.Trials;
            int done = trials.Count(t => t.State != TrialState.Running) + 1;
            var best = trials.Where(t => t.State == TrialState.Complete && t.Value is not null).MinBy(t => t.Value);
            double eta = (done - before) > 0 ? sw.Elapsed.TotalSeconds / (done - before) * (total - done) : 0;
            string what = trial.BaselineTag is { } tag ? $" [{tag}]" : "";
            string result = outcome.State == TrialState.Complete ? $"ppl {outcome.Value:F4}" : $"{outcome.State}: {outcome.Error}";
            string bestText = best is null ? "" : $"  best {Math.Min(best.Value!.Value, outcome.Value ?? double.MaxValue):F4}";
            log.WriteLine($"trial {trial.Number + 1}/{total}{what}: {result}{bestText}  elapsed {sw.Elapsed:hh\\:mm\\:ss}  eta {TimeSpan.FromSeconds(eta):hh\\:mm\\:ss}");
            return outcome;
        }, total);
    }
}

using System.CommandLine;
using System.Diagnostics;
using System.Reflection;
using Search.Cli.Runner;
using Search.Model;
using Search.Model.Checkpoints;
using Search.Model.Runtime;
using Search.Optimization;
using Search.Optimization.Samplers;
using Search.Optimization.Spaces;
using Search.Optimization.Storage;
using Search.Optimization.Trials;
using Search.Reporting.Records;

namespace Search.Cli.Commands;

/// <summary>
/// <c>prunesearch search</c>: create or resume a study and run it to N trials in total. Every
/// proposal is stored as Running before it is evaluated, so a killed run resumes exactly.
/// </summary>
public static class SearchCommand
{
    public static Command Create(TextWriter output)
    {
        var model = CommonOptions.Model();
        var space = new Option<string>("--space")
        {
            Description = "search-space JSON (search-spaces/*.json: quick, adapruner, darwin, joint)",
            DefaultValueFactory = _ => Path.Combine("search-spaces", "quick.json"),
        };
        var study = StudyOptions.Study();
        var db = StudyOptions.Db();
        var trials = new Option<int>("--trials") { Description = "total trials in the study, baselines included (a resumed study counts what it has)", DefaultValueFactory = _ => 24 };
        var sampler = new Option<string>("--sampler") { Description = "gp (Gaussian-process BO), evolution (DarwinLM-style) or random", DefaultValueFactory = _ => "gp" };
        var seed = new Option<int>("--seed") { Description = "sampler seed: the same seed gives the same trials", DefaultValueFactory = _ => 0 };
        var ratio = new Option<double>("--ratio") { Description = "fraction of attention+MLP linear parameters to remove, in [0,1)", DefaultValueFactory = _ => 0.2 };
        var evalDataset = new Option<string>("--eval-dataset")
        {
            Description = "corpus scored by the objective: its valid split tunes, its test split (or the second half of valid) reports",
            DefaultValueFactory = _ => ModelLocator.SyntheticDataset,
        };
        var seqLen = new Option<int>("--seqlen") { Description = "evaluation window length", DefaultValueFactory = _ => 128 };
        var bos = new Option<string>("--bos") { Description = "corpus, window or none", DefaultValueFactory = _ => "corpus" };
        var proxy = new Option<int>("--proxy-windows") { Description = "windows of the search split scored per trial (cheap proxy)", DefaultValueFactory = _ => 32 };
        var finalists = new Option<int>("--finalists") { Description = "best searched trials re-scored on the full search split and the test split", DefaultValueFactory = _ => 3 };
        var poolSize = new Option<int>("--pool-size") { Description = "calibration windows per (source, seqlen, seed) pool; a trial takes the first n (n must not exceed it)", DefaultValueFactory = _ => 256 };
        var dataDir = CommonOptions.DataDir();
        var device = CommonOptions.Device();
        var dtype = CommonOptions.Dtype();
        var threads = CommonOptions.Threads();
        var cmd = new Command("search", "Search pruning configs (calibration set, metric mixture, per-layer ratios) under a parameter budget; " +
                                        "hand-set baselines (FLAP, Wanda-sp, magnitude) run in the same study. Rerun the same command to resume.")
        {
            model, space, study, db, trials, sampler, seed, ratio, evalDataset, seqLen, bos, proxy, finalists, poolSize, dataDir, device, dtype, threads,
        };
        cmd.SetAction(parse =>
        {
            TorchRuntime.Initialize(parse.GetValue(threads));
            RunStudy(output, new StudyRunOptions(parse.GetValue(model)!, parse.GetValue(space)!, parse.GetValue(study)!, parse.GetValue(db)!,
                parse.GetValue(trials), parse.GetValue(sampler)!, parse.GetValue(seed), parse.GetValue(ratio), parse.GetValue(evalDataset)!,
                parse.GetValue(seqLen), parse.GetValue(bos)!, parse.GetValue(proxy), parse.GetValue(finalists), parse.GetValue(poolSize),
                parse.GetValue(dataDir), parse.GetValue(device)!, parse.GetValue(dtype)!));
            return 0;
        });
        return cmd;
    }

    /// <summary>
    /// Creates or resumes the study, runs it to <see cref="StudyRunOptions.Trials"/> trials, finalizes baselines and
    /// the best searched trials, and prints the summary. The caller initializes the torch runtime.
    /// </summary>
    public static void RunStudy(TextWriter output, StudyRunOptions o)
    {
        if (!(o.Ratio >= 0 && o.Ratio < 1)) throw new UserInputException($"--ratio must be in [0, 1), got {o.Ratio}");
        if (o.Trials < 1) throw new UserInputException($"--trials must be at least 1, got {o.Trials}");
        if (o.ProxyWindows < 1) throw new UserInputException("--proxy-windows must be at least 1");
        var samplerImpl = SamplerFactory.Create(SamplerName(o.Sampler));
        if (!File.Exists(o.SpacePath)) throw new UserInputException($"--space: {o.SpacePath} not found");
        var settings = new ObjectiveSettings(o.Ratio, o.EvalDataset, o.SeqLen, EvalCommand.ParseBos(o.Bos).ToString().ToLowerInvariant(),
            o.ProxyWindows, o.Finalists, o.PoolSize);
        using var storage = new LiteDbStorage(o.Db);
        var loaded = ModelLocator.Load(o.Model, Checkpoint.ParseDtype(o.Dtype), TorchRuntime.ResolveDevice(o.Device), output);
        var bound = SearchSpace.Load(o.SpacePath).BindLayerCount(loaded.Model.Config.NumLayers);
        if (bound.HasLayerRatios) bound = bound.WithLayerRatioTarget(o.Ratio);
        using var setup = SearchSetup.Create(loaded, settings, o.DataDir, bound, output);
        var record = new StudyRecord(o.Study, loaded.Dir, loaded.Hash, bound.SourceJson, bound.LayerCount,
            samplerImpl.Name, o.Seed, TrialRunner.Serialize(settings), SoftwareVersion);
        var s = Study.CreateOrResume(storage, record, bound, samplerImpl);
        s.EnqueueBaselines();
        Run(output, s, setup.Runner, o.Trials);
        Finalize(output, storage, s, setup.Runner);
        StudyTables.Summary(output, s.Name, storage.GetTrials(s.Name));
    }

    public static string SoftwareVersion =>
        typeof(SearchCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "dev";

    private static string SamplerName(string s) => s.Trim().ToLowerInvariant() switch
    {
        "evolution" or "evo" or "darwin" => EvolutionarySampler.SamplerName,
        var other => other,
    };

    private static void Run(TextWriter output, Study study, TrialRunner runner, int total)
    {
        var sw = Stopwatch.StartNew();
        int before = study.Trials.Count;
        output.WriteLine(before >= total
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
            output.WriteLine($"trial {trial.Number + 1}/{total}{what}: {result}{bestText}  elapsed {sw.Elapsed:hh\\:mm\\:ss}  eta {TimeSpan.FromSeconds(eta):hh\\:mm\\:ss}");
            return outcome;
        }, total);
    }

    /// <summary>Re-scores baselines and the best searched trials on the full search split and the test split (once each).</summary>
    private static void Finalize(TextWriter output, ITrialStorage storage, Study study, TrialRunner runner)
    {
        var complete = storage.GetTrials(study.Name).Where(t => t.State == TrialState.Complete && t.Value is not null).ToList();
        long? topFidelity = complete.Select(t => t.FidelityTokens).Max();
        var searched = complete.Where(t => t.UserAttr(UserAttrKeys.Baseline) is null && t.FidelityTokens == topFidelity)
            .OrderBy(t => t.Value).Take(runner.Settings.Finalists);
        var chosen = complete.Where(t => t.UserAttr(UserAttrKeys.Baseline) is not null).Concat(searched)
            .Where(t => t.UserAttr(TrialAttrs.Final) is null).ToList();
        foreach (var t in chosen)
        {
            var final = runner.Finalize(t.Params);
            storage.SetTrialUserAttr(study.Name, t.Number, TrialAttrs.Final, TrialRunner.Serialize(final));
            output.WriteLine($"final trial {t.Number + 1}{(t.UserAttr(UserAttrKeys.Baseline) is { } tag ? $" [{tag}]" : "")}: " +
                             $"{final.SearchSplit} ppl {final.SearchPpl:F4}, {final.TestSplit} ppl {final.TestPpl:F4} ({final.Seconds:F1} s)");
        }
        SeedSpreadOfBestBaseline(output, storage, study, runner);
    }

    /// <summary>Calibration seeds the best baseline is re-run with to measure its seed-to-seed spread.</summary>
    public const int SpreadSeeds = 5;

    private static void SeedSpreadOfBestBaseline(TextWriter output, ITrialStorage storage, Study study, TrialRunner runner)
    {
        var best = storage.GetTrials(study.Name)
            .Where(t => t.UserAttr(UserAttrKeys.Baseline) is not null && t.UserAttr(TrialAttrs.Final) is not null)
            .MinBy(t => TrialRunner.Deserialize<FinalScores>(t.UserAttr(TrialAttrs.Final))!.TestPpl);
        if (best is null || best.UserAttr(TrialAttrs.SeedSpread) is not null || !best.Params.ContainsKey("calibration_seed")) return;
        var seeds = new List<int>();
        var ppl = new List<double>();
        int seed0 = (int)best.Params["calibration_seed"].AsReal;
        for (int k = 0; k < SpreadSeeds; k++)
        {
            int seed = seed0 + k;
            var p = new Dictionary<string, ParamValue>(best.Params) { ["calibration_seed"] = ParamValue.Of((long)seed) };
            seeds.Add(seed);
            ppl.Add(k == 0 ? TrialRunner.Deserialize<FinalScores>(best.UserAttr(TrialAttrs.Final))!.TestPpl : runner.TestPerplexity(p));
        }
        var spread = new SeedSpread(seeds, ppl);
        storage.SetTrialUserAttr(study.Name, best.Number, TrialAttrs.SeedSpread, TrialRunner.Serialize(spread));
        output.WriteLine($"seed spread of {best.UserAttr(UserAttrKeys.Baseline)} over calibration seeds {string.Join(",", seeds)}: " +
                         $"test ppl {string.Join(" ", ppl.Select(v => v.ToString("F4")))} (max-min {spread.Spread:F4})");
    }
}

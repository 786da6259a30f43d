using Search.Application.Views;
using System.CommandLine;
using Search.Application.Stores;
using Search.Data;
using Search.Training;
using Search.Model.Runtime;
using Search.Objective;
using Search.Records;

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
        }.Check(path => File.Exists(path) ? null : $"--space: {path} not found");
        var study = StudyOptions.Study();
        var db = StudyOptions.Db();
        var trials = new Option<int>("--trials") { Description = "total trials in the study, baselines included (a resumed study counts what it has)", DefaultValueFactory = _ => 24 }.AtLeast(1);
        var sampler = new Option<string>("--sampler") { Description = "gp (Gaussian-process BO), evolutionary (DarwinLM-style, per-layer ratios only), hybrid (GP for calibration/metric/unit/compensation, coarse-to-fine evolution for per-layer ratios), levels (multi-fidelity evolution over a per-layer level database, continuing the best hand-set contexts; sizes in the space's \"levels\" object) or random", DefaultValueFactory = _ => "gp" };
        var seed = new Option<int>("--seed") { Description = "sampler seed: the same seed gives the same trials", DefaultValueFactory = _ => 0 };
        var ratio = new Option<double>("--ratio") { Description = "fraction of attention+MLP linear parameters to remove, in [0,1)", DefaultValueFactory = _ => 0.2 }.Fraction();
        var evalDataset = new Option<string>("--eval-dataset")
        {
            Description = "corpus scored by the objective: its valid split tunes, its test split (or the second half of valid) reports",
            DefaultValueFactory = _ => ModelSources.SyntheticDataset,
        };
        var seqLen = new Option<int>("--seqlen") { Description = "evaluation window length", DefaultValueFactory = _ => 128 }.AtLeast(2);
        var bos = new Option<string>("--bos") { Description = "corpus, window or none", DefaultValueFactory = _ => "corpus" };
        var proxy = new Option<int>("--proxy-windows") { Description = "windows of the search split scored per trial (cheap proxy)", DefaultValueFactory = _ => 32 }.AtLeast(1);
        var finalists = new Option<int>("--finalists") { Description = "best searched trials re-scored on the full search split and the test split", DefaultValueFactory = _ => 3 }.AtLeast(0);
        var poolSize = new Option<int?>("--pool-size")
        {
            Description = "calibration windows per (source, seqlen, seed) pool; a trial takes the first n (default: the largest n the space asks for)",
        }.AtLeast(1);
        var finalTokens = new Option<string>("--final-tokens")
        {
            Description = $"scored tokens per split for finalists, baselines and the seed spread, or 'all' for whole splits (default {StudyRunOptions.DefaultFinalTokens})",
            DefaultValueFactory = _ => StudyRunOptions.DefaultFinalTokens.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }.Check(value => TryFinalTokens(value, out _) ? null : FinalTokensProblem(value));
        var weights = CommonOptions.Weights();
        var fitness = new Option<string>("--fitness")
        {
            Description = "what trials minimize on the proxy windows: ppl, or kl (per-token KL(dense ‖ pruned), teacher computed once); both are stored",
            DefaultValueFactory = _ => ObjectiveSettings.PerplexityFitness,
        }.Check(value => ObjectiveSettings.FitnessOf(value) is null ? $"--fitness: unknown value '{value}' (expected {ObjectiveSettings.FitnessNames})" : null);
        var grace = new Option<double?>("--grace")
        {
            Description = "seconds a worker may be silent before another takes over its running trial or the finalisation (default 60; heartbeats every grace/6)",
        }.Positive("seconds");
        var costAware = new Option<bool>("--cost-aware")
        {
            Description = "the GP sampler maximizes expected improvement per expected second (a new calibration pool's dense pass, a least-squares refit, " +
                          "the evaluation), estimated from the stored trials' timings; proposals then depend on measured times (docs/methods.md)",
        };
        var widthMultiple = CommonOptions.WidthMultiple("searched configs and the exact-budget twins; the published rules run as published");
        var speed = new Option<bool>("--speed")
        {
            Description = "after finalisation, time prefill/decode tokens/s of the finalists and baselines against the dense model " +
                          "(interleaved, batch 1, --threads threads) and store it per trial (post.speed)",
        };
        var llamaCpp = SpeedOptions.LlamaCpp("with --speed: also time llama.cpp on temporary GGUFs, f32 unless --speed-quant (one warning and TorchSharp only if it does not load)");
        var speedQuant = SpeedOptions.Quant("--speed-quant");
        var speedPrompt = SpeedOptions.PromptTokens("speed-");
        var speedNew = SpeedOptions.NewTokens("speed-");
        var speedRepeats = SpeedOptions.Repeats("speed-");
        var finalTasks = TaskOptions.Tasks("--final-tasks", "after finalisation, score baselines and finalists on multiple-choice tasks (stored per trial as post.tasks)");
        var taskBos = TaskOptions.Bos();
        var finalTaskItems = TaskOptions.Items("--final-task-items", "1000");
        var dataDir = CommonOptions.DataDir();
        var device = CommonOptions.Device();
        var dtype = CommonOptions.Dtype();
        var threads = CommonOptions.Threads();
        var cmd = new Command("search", "Search pruning configs (calibration set, metric mixture, per-layer ratios) under a parameter budget; " +
                                        "hand-set baselines (FLAP, Wanda-sp, magnitude) run in the same study. Rerun the same command to resume.")
        {
            model, space, study, db, trials, sampler, seed, ratio, evalDataset, seqLen, bos, proxy, finalists, poolSize, finalTokens, weights, grace, fitness, widthMultiple, costAware,
            speed, llamaCpp, speedQuant, speedPrompt, speedNew, speedRepeats, finalTasks, taskBos, finalTaskItems, dataDir, device, dtype, threads,
        };
        cmd.SetAction(parse =>
        {
            TorchRuntime.Initialize(parse.GetValue(threads));
            if (parse.GetValue(llamaCpp) && !parse.GetValue(speed)) throw new Search.Model.UserInputException("--llama-cpp needs --speed");
            if (parse.GetValue(speedQuant) is not null && !parse.GetValue(speed)) throw new Search.Model.UserInputException("--speed-quant needs --speed");
            SpeedSettings? speedSettings = null;
            if (parse.GetValue(speed))
            {
                var protocol = SpeedOptions.Protocol(parse.GetValue(speedPrompt), parse.GetValue(speedNew), new Search.Model.Speed.SpeedProtocol().Warmup,
                    parse.GetValue(speedRepeats), parse.GetValue(threads));
                var writer = SpeedOptions.GgufWriter(parse.GetValue(speedQuant), "--speed-quant", parse.GetValue(llamaCpp), parse.GetValue(threads));
                speedSettings = new SpeedSettings(protocol, parse.GetValue(llamaCpp) ? SpeedOptions.LlamaCppOrWarn() : null, writer);
            }
            // Task files are read and checked before anything loads: a bad row costs no study.
            TaskSettings? taskSettings = null;
            if (parse.GetValue(finalTasks) is { } taskList)
                taskSettings = new TaskSettings(
                    Search.Data.Tasks.TaskCatalog.ParseList(taskList, "--final-tasks").Select(t => Search.Data.Tasks.TaskCatalog.Load(t, parse.GetValue(dataDir))).ToList(),
                    Search.Data.Tasks.TaskEncoding.ParseBos(parse.GetValue(taskBos)!),
                    TaskOptions.ParseItems(parse.GetValue(finalTaskItems)!, "--final-task-items"));
            var options = new StudyRunOptions(parse.GetValue(model)!, parse.GetValue(space)!, parse.GetValue(study)!, parse.GetValue(db)!,
                parse.GetValue(trials), parse.GetValue(sampler)!, parse.GetValue(seed), parse.GetValue(ratio), parse.GetValue(evalDataset)!,
                parse.GetValue(seqLen), parse.GetValue(bos)!, parse.GetValue(proxy), parse.GetValue(finalists), parse.GetValue(poolSize),
                parse.GetValue(dataDir), parse.GetValue(device)!, parse.GetValue(dtype)!, ParseFinalTokens(parse.GetValue(finalTokens)!),
                parse.GetValue(weights)!, parse.GetValue(grace), parse.GetValue(fitness)!, speedSettings, parse.GetValue(widthMultiple), taskSettings,
                parse.GetValue(costAware));
            Run(output, options);
            return 0;
        });
        return cmd;
    }

    /// <summary>A token count, or 'all' (null: whole splits).</summary>
    public static long? ParseFinalTokens(string value) =>
        TryFinalTokens(value, out long? tokens) ? tokens : throw new Search.Model.UserInputException(FinalTokensProblem(value));

    private static bool TryFinalTokens(string value, out long? tokens)
    {
        tokens = null;
        if (value.Trim().Equals("all", StringComparison.OrdinalIgnoreCase)) return true;
        if (!long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long n) || n <= 0) return false;
        tokens = n;
        return true;
    }

    private static string FinalTokensProblem(string value) => $"--final-tokens must be a positive token count or 'all', got '{value}'";

    /// <summary>
    /// Runs the study (<see cref="StudyRunner"/>) and prints the searched-vs-hand-set summary. An
    /// existing store is read once first (<see cref="ReadExisting"/>), so a damaged or hand-edited
    /// one is one line naming the file before the model loads.
    /// </summary>
    public static void Run(TextWriter output, StudyRunOptions options)
    {
        if (File.Exists(options.Db)) ReadExisting(options.Db, options.Study);
        IReadOnlyList<Search.Optimization.Trials.FrozenTrial> trials;
        try
        {
            trials = StudyRunner.Run(output, options);
        }
        catch (LiteDB.LiteException e)
        {
            throw StoreReads.Damaged(options.Db, e); // LiteDB's errors name no file
        }
        StudyTables.Summary(output, options.Study, trials);
    }

    /// <summary>
    /// Everything a resume reads of <paramref name="study"/>: its record, trials, queue and rendered
    /// attributes, opened read-only: a writable open of a file cut short would let LiteDB flag or
    /// even truncate it before the error.
    /// </summary>
    private static void ReadExisting(string db, string study)
    {
        var trials = StoreReads.Read(db, () =>
        {
            using var storage = Search.Optimization.Storage.StorageLocator.Open(db, readOnly: true);
            storage.GetStudies();
            if (storage.FindStudy(study) is null) return [];
            storage.GetQueue(study);
            return storage.GetTrials(study);
        });
        StoreReads.CheckAttrs(db, study, trials);
    }
}

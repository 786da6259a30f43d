using System.CommandLine;
using Search.Data;
using Search.Data.Tasks;
using Search.Objective;
using Search.Records;
using Search.Training;

namespace Search.Cli.Commands;

/// <summary>
/// The <c>search</c> command's options, each checked where it is declared (one line naming the
/// flag, before anything loads), and their reading into the <see cref="StudyRunOptions"/> the
/// library runs: the speed protocol and task files are read and checked here too, so a bad
/// value costs no study.
/// </summary>
public sealed class SearchOptions
{
    public Option<string> Model { get; } = CommonOptions.Model();

    public Option<string> Space { get; } = new Option<string>("--space")
    {
        Description = "search-space JSON (search-spaces/*.json: quick, adapruner, darwin, joint)",
        DefaultValueFactory = _ => Path.Combine("search-spaces", "quick.json"),
    };

    public Option<string> Study { get; } = StudyOptions.Study();

    public Option<string> Db { get; } = StudyOptions.Db();

    public Option<int> Trials { get; } = new Option<int>("--trials") { Description = "total trials in the study, baselines included (a resumed study counts what it has)", DefaultValueFactory = _ => 24 }.AtLeast(1);

    public Option<string> Sampler { get; } = new Option<string>("--sampler") { Description = "gp (Gaussian-process BO), evolutionary (DarwinLM-style, per-layer ratios only), hybrid (GP for calibration/metric/unit/compensation, coarse-to-fine evolution for per-layer ratios), levels (multi-fidelity evolution over a per-layer level database, continuing the best hand-set contexts; sizes in the space's \"levels\" object) or random", DefaultValueFactory = _ => "gp" };

    public Option<int> Seed { get; } = new Option<int>("--seed") { Description = "sampler seed: the same seed gives the same trials", DefaultValueFactory = _ => 0 };

    public Option<double> Ratio { get; } = new Option<double>("--ratio") { Description = "fraction of attention+MLP linear parameters to remove, in [0,1)", DefaultValueFactory = _ => 0.2 }.Fraction();

    public Option<string> EvalDataset { get; } = new Option<string>("--eval-dataset")
    {
        Description = "corpus scored by the objective: its valid split tunes, its test split (or the second half of valid) reports",
        DefaultValueFactory = _ => ModelSources.SyntheticDataset,
    };

    public Option<int> SeqLen { get; } = new Option<int>("--seqlen") { Description = "evaluation window length", DefaultValueFactory = _ => 128 }.AtLeast(2);

    public Option<string> Bos { get; } = new Option<string>("--bos") { Description = "corpus, window or none", DefaultValueFactory = _ => "corpus" }.ParsedBy(BosModes.Parse);

    public Option<int> Proxy { get; } = new Option<int>("--proxy-windows") { Description = "windows of the search split scored per trial (cheap proxy)", DefaultValueFactory = _ => 32 }.AtLeast(1);

    public Option<int> Finalists { get; } = new Option<int>("--finalists") { Description = "best searched trials re-scored on the full search split and the test split", DefaultValueFactory = _ => 3 }.AtLeast(0);

    public Option<int?> PoolSize { get; } = new Option<int?>("--pool-size")
    {
        Description = "calibration windows per (source, seqlen, seed) pool; a trial takes the first n (default: the largest n the space asks for)",
    }.AtLeast(1);

    public Option<string> FinalTokens { get; } = new Option<string>("--final-tokens")
    {
        Description = $"scored tokens per split for finalists, baselines and the seed spread, or 'all' for whole splits (default {StudyRunOptions.DefaultFinalTokens})",
        DefaultValueFactory = _ => StudyRunOptions.DefaultFinalTokens.ToString(System.Globalization.CultureInfo.InvariantCulture),
    }.Check(value => TryFinalTokens(value, out _) ? null : FinalTokensProblem(value));

    public Option<string> Weights { get; } = CommonOptions.Weights();

    public Option<string> Fitness { get; } = new Option<string>("--fitness")
    {
        Description = "what trials minimize on the proxy windows: ppl, or kl (per-token KL(dense ‖ pruned), teacher computed once); both are stored",
        DefaultValueFactory = _ => ObjectiveSettings.PerplexityFitness,
    }.Check(value => ObjectiveSettings.FitnessOf(value) is null ? $"--fitness: unknown value '{value}' (expected {ObjectiveSettings.FitnessNames})" : null);

    public Option<double?> Grace { get; } = new Option<double?>("--grace")
    {
        Description = "seconds a worker may be silent before another takes over its running trial or the finalisation (default 60; heartbeats every grace/6)",
    }.Positive("seconds");

    public Option<bool> CostAware { get; } = new Option<bool>("--cost-aware")
    {
        Description = "the GP sampler maximizes expected improvement per expected second (a new calibration pool's dense pass, a least-squares refit, " +
                      "the evaluation), estimated from the stored trials' timings; proposals then depend on measured times (docs/methods.md)",
    };

    public Option<int> WidthMultiple { get; } = CommonOptions.WidthMultiple("searched configs and the exact-budget twins; the published rules run as published");

    public Option<bool> Speed { get; } = new Option<bool>("--speed")
    {
        Description = "after finalisation, time prefill/decode tokens/s of the finalists and baselines against the dense model " +
                      "(interleaved, batch 1, --threads threads) and store it per trial (post.speed)",
    };

    public Option<bool> LlamaCpp { get; } = SpeedOptions.LlamaCpp("with --speed: also time llama.cpp on temporary GGUFs, f32 unless --speed-quant (one warning and TorchSharp only if it does not load)");

    public Option<string?> SpeedQuant { get; } = SpeedOptions.Quant("--speed-quant");

    public Option<int> SpeedPrompt { get; } = SpeedOptions.PromptTokens("speed-");

    public Option<int> SpeedNew { get; } = SpeedOptions.NewTokens("speed-");

    public Option<int> SpeedRepeats { get; } = SpeedOptions.Repeats("speed-");

    public Option<string?> FinalTasks { get; } = TaskOptions.Tasks("--final-tasks", "after finalisation, score baselines and finalists on multiple-choice tasks (stored per trial as post.tasks)");

    public Option<string> TaskBos { get; } = TaskOptions.Bos();

    public Option<string> FinalTaskItems { get; } = TaskOptions.Items("--final-task-items", "1000");

    public Option<string?> DataDir { get; } = CommonOptions.DataDir();

    public Option<string> Device { get; } = CommonOptions.Device();

    public Option<string> Dtype { get; } = CommonOptions.Dtype();

    public Option<int> Threads { get; } = CommonOptions.Threads();

    /// <summary>In the order <c>search --help</c> lists them.</summary>
    public IEnumerable<Option> All => [Model, Space, Study, Db, Trials, Sampler, Seed, Ratio, EvalDataset, SeqLen, Bos, Proxy, Finalists, PoolSize, FinalTokens, Weights, Grace, Fitness, WidthMultiple, CostAware, Speed, LlamaCpp, SpeedQuant, SpeedPrompt, SpeedNew, SpeedRepeats, FinalTasks, TaskBos, FinalTaskItems, DataDir, Device, Dtype, Threads];

    /// <summary>The run the parsed values ask for; a combination the options cannot check alone is one line naming the flags.</summary>
    public StudyRunOptions Read(ParseResult parse)
    {
        if (parse.GetValue(LlamaCpp) && !parse.GetValue(Speed)) throw new Search.Model.UserInputException("--llama-cpp needs --speed");
        if (parse.GetValue(SpeedQuant) is not null && !parse.GetValue(Speed)) throw new Search.Model.UserInputException("--speed-quant needs --speed");
        var speed = ReadSpeed(parse);
        var tasks = ReadTasks(parse);
        // After the task files, as a bad row is the more specific news (the default space is relative to the working directory).
        if (!File.Exists(parse.GetValue(Space))) throw new Search.Model.UserInputException($"--space: {parse.GetValue(Space)} not found");
        return new StudyRunOptions(parse.GetValue(Model)!, parse.GetValue(Space)!, parse.GetValue(Study)!, parse.GetValue(Db)!,
            parse.GetValue(Trials), parse.GetValue(Sampler)!, parse.GetValue(Seed), parse.GetValue(Ratio), parse.GetValue(EvalDataset)!,
            parse.GetValue(SeqLen), parse.GetValue(Bos)!, parse.GetValue(Proxy), parse.GetValue(Finalists), parse.GetValue(PoolSize),
            parse.GetValue(DataDir), parse.GetValue(Device)!, parse.GetValue(Dtype)!, ParseFinalTokens(parse.GetValue(FinalTokens)!),
            parse.GetValue(Weights)!, parse.GetValue(Grace), parse.GetValue(Fitness)!, speed, parse.GetValue(WidthMultiple), tasks,
            parse.GetValue(CostAware));
    }

    private SpeedSettings? ReadSpeed(ParseResult parse)
    {
        if (!parse.GetValue(Speed)) return null;
        int threads = parse.GetValue(Threads);
        var protocol = SpeedOptions.Protocol(parse.GetValue(SpeedPrompt), parse.GetValue(SpeedNew), new Search.Model.Speed.SpeedProtocol().Warmup,
            parse.GetValue(SpeedRepeats), threads);
        var writer = SpeedOptions.GgufWriter(parse.GetValue(SpeedQuant), "--speed-quant", parse.GetValue(LlamaCpp), threads);
        return new SpeedSettings(protocol, parse.GetValue(LlamaCpp) ? SpeedOptions.LlamaCppOrWarn() : null, writer);
    }

    /// <summary>Task files are read and checked before anything loads: a bad row costs no study.</summary>
    private TaskSettings? ReadTasks(ParseResult parse) =>
        parse.GetValue(FinalTasks) is not { } taskList ? null
        : new TaskSettings(
            TaskCatalog.ParseList(taskList, "--final-tasks").Select(t => TaskCatalog.Load(t, parse.GetValue(DataDir))).ToList(),
            TaskEncoding.ParseBos(parse.GetValue(TaskBos)!),
            TaskOptions.ParseItems(parse.GetValue(FinalTaskItems)!, "--final-task-items"));

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
}

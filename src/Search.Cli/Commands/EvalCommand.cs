using Search.Application.Views;
using System.CommandLine;
using Search.Application;
using System.Text.Json;
using Search.Model.Checkpoints;
using Search.Model.Runtime;
using Search.Data;
using Search.Training;
using Search.Data.Evaluation;
using Search.Data.Tasks;
using Spectre.Console;

namespace Search.Cli.Commands;

/// <summary><c>prunesearch eval</c>: perplexity of a (dense or pruned) checkpoint on a corpus.</summary>
public static class EvalCommand
{
    public static Command Create(TextWriter output)
    {
        var model = CommonOptions.Model();
        var dataset = new Option<string>("--dataset")
        {
            Description = "wikitext2, ptb, c4, tinystories, synthetic (the embedded corpus), or a .txt/.jsonl/.parquet path " +
                          "(.txt is read byte for byte; .jsonl/.parquet 'text' documents are joined with a blank line)",
            DefaultValueFactory = _ => ModelSources.SyntheticDataset,
        };
        var split = new Option<string>("--split") { Description = "test, valid/validation or train", DefaultValueFactory = _ => "test" };
        var seqLen = new Option<int>("--seqlen") { Description = "window length in tokens (non-overlapping windows, remainder dropped)", DefaultValueFactory = _ => 128 }.AtLeast(2);
        var bos = new Option<string>("--bos")
        {
            Description = "corpus: one BOS before the whole corpus (FLAP/LLM-Pruner); window: BOS starts every window; none",
            DefaultValueFactory = _ => "corpus",
        };
        var maxWindows = new Option<int?>("--max-windows") { Description = "evaluate only the first N windows" }.AtLeast(1);
        var batch = new Option<int>("--batch-size") { Description = "windows per forward pass (0 = automatic)", DefaultValueFactory = _ => 0 }.AtLeast(0);
        var dataDir = CommonOptions.DataDir();
        var device = CommonOptions.Device();
        var dtype = CommonOptions.Dtype();
        var weights = CommonOptions.Weights();
        var json = CommonOptions.Json();
        var threads = CommonOptions.Threads();
        var tasks = TaskOptions.Tasks("--tasks", "also (or, without an explicit --dataset, only) score multiple-choice tasks by log-likelihood, lm-eval v0.4 style");
        var taskBos = TaskOptions.Bos();
        var taskItems = TaskOptions.Items("--task-items", "all");
        var cmd = new Command("eval", "Perplexity of a model on a corpus: exp(mean next-token NLL over every scored position, " +
                                      "accumulated in float64). Each window scores its tokens 1..seqlen-1.")
        {
            model, dataset, split, seqLen, bos, maxWindows, batch, dataDir, device, dtype, weights, json, threads, tasks, taskBos, taskItems,
        };
        cmd.SetAction(parse =>
        {
            TorchRuntime.Initialize(parse.GetValue(threads));
            var bosMode = BosModes.Parse(parse.GetValue(bos)!);
            int n = parse.GetValue(seqLen);
            if (n < 2) throw new Search.Model.UserInputException($"--seqlen must be at least 2, got {n}");
            if (parse.GetValue(maxWindows) is int mw && mw < 1)
                throw new Search.Model.UserInputException($"--max-windows must be at least 1, got {mw}");
            var dev = TorchRuntime.ResolveDevice(parse.GetValue(device)!);
            var dt = Checkpoint.ParseDtype(parse.GetValue(dtype)!);
            bool asJson = parse.GetValue(json);
            var log = asJson ? null : output;
            var taskSpecs = parse.GetValue(tasks) is { } list ? TaskCatalog.ParseList(list, "--tasks") : null;
            bool withTaskBos = TaskEncoding.ParseBos(parse.GetValue(taskBos)!);
            int? itemCap = TaskOptions.ParseItems(parse.GetValue(taskItems)!, "--task-items");
            // Task files are read before the model loads: a bad file costs no model build.
            var loadedTasks = taskSpecs?.Select(t => TaskCatalog.Load(t, parse.GetValue(dataDir)).Take(itemCap)).ToList();
            using var loaded = ModelSources.Load(parse.GetValue(model)!, dt, dev, log, WeightResidencies.Parse(parse.GetValue(weights)!));
            if (loadedTasks is not null && parse.GetResult(dataset) is null or { Implicit: true })
                return EvalTasks(output, asJson, loaded, loadedTasks, withTaskBos, parse.GetValue(batch), dev);
            var source = ModelSources.ResolveDataset(parse.GetValue(dataset)!, parse.GetValue(split)!, parse.GetValue(dataDir), log);
            var windows = CorpusTokens.EvalWindowsOf(source, loaded.Tokenizer, TokenCache.OpenDefault(), bosMode, n, parse.GetValue(maxWindows));
            var result = Terminal.WithProgress(output, !asJson, "evaluating", windows.Count, tick =>
                PerplexityEvaluator.Evaluate(loaded.Model, windows.Ids, windows.Count, windows.SeqLen,
                    source.Dataset, source.Split, BosModes.Name(bosMode), loaded.Hash,
                    parse.GetValue(batch), tick));
            // A model that overflows or holds NaN weights has no perplexity: say so, never print NaN as a result.
            string? problem = FiniteJson.NotFinite(result.Perplexity) is { } what
                ? $"{loaded.Dir}: perplexity is not finite ({what}; mean NLL {result.MeanNll}) on {source.Dataset}/{source.Split}: the model's logits overflow or its weights hold NaN/inf"
                : null;
            if (asJson)
                output.WriteLine(JsonSerializer.Serialize(new
                {
                    model = loaded.Dir,
                    ppl = result.Perplexity,
                    mean_nll = result.MeanNll,
                    windows = result.Windows,
                    scored_tokens = result.ScoredTokens,
                    seconds = result.Seconds,
                    tokens_per_second = result.TokensPerSecond,
                    dataset = result.Dataset,
                    split = result.Split,
                    seqlen = result.SeqLen,
                    bos = result.Bos,
                    dtype = result.DType,
                    model_hash = result.ModelHash,
                    device = dev.ToString(),
                    error = problem,
                    tasks = loadedTasks is null ? null : TaskTables.Json(ScoreTasks(output, false, loaded, loadedTasks, withTaskBos, parse.GetValue(batch))),
                }, FiniteJson.Options));
            else
            {
                PrintTable(output, loaded.Dir, result);
                if (loadedTasks is not null) TaskTables.Print(output, ScoreTasks(output, true, loaded, loadedTasks, withTaskBos, parse.GetValue(batch)));
            }
            if (problem is not null) throw new Search.Model.UserInputException(problem);
            return 0;
        });
        return cmd;
    }

    private static TaskSuiteResult ScoreTasks(TextWriter output, bool progress, LoadedModel loaded,
        IReadOnlyList<LoadedTask> tasks, bool bos, int batch) =>
        Terminal.WithProgress(output, progress, "scoring tasks", TaskEvaluator.RequestCount(tasks), tick =>
            TaskEvaluator.EvaluateAll(loaded.Model, loaded.Tokenizer, tasks, bos, batch, tick));

    private static int EvalTasks(TextWriter output, bool asJson, LoadedModel loaded, IReadOnlyList<LoadedTask> tasks,
        bool bos, int batch, TorchSharp.torch.Device dev)
    {
        var suite = ScoreTasks(output, !asJson, loaded, tasks, bos, batch);
        if (asJson)
            output.WriteLine(System.Text.Json.JsonSerializer.Serialize(new
            {
                model = loaded.Dir,
                model_hash = loaded.Hash,
                dtype = Checkpoint.DtypeName(loaded.Model.DType),
                device = dev.ToString(),
                tasks = TaskTables.Json(suite),
            }, FiniteJson.Options));
        else
        {
            output.WriteLine($"model {loaded.Dir} ({loaded.Hash})");
            TaskTables.Print(output, suite);
        }
        return 0;
    }

    private static void PrintTable(TextWriter output, string model, PerplexityResult r)
    {
        var console = Terminal.ConsoleFor(output);
        var table = new Table().AddColumns("field", "value");
        table.AddRow("model", Markup.Escape(model));
        table.AddRow("perplexity", FiniteJson.Cell(r.Perplexity, "F4"));
        table.AddRow("mean NLL (nats)", FiniteJson.Cell(r.MeanNll, "F6"));
        table.AddRow("windows × seqlen", $"{r.Windows} × {r.SeqLen}");
        table.AddRow("scored tokens", $"{r.ScoredTokens:N0}");
        table.AddRow("dataset / split", $"{Markup.Escape(r.Dataset)} / {r.Split}");
        table.AddRow("bos", r.Bos);
        table.AddRow("dtype", r.DType);
        table.AddRow("model hash", r.ModelHash);
        table.AddRow("seconds", $"{r.Seconds:F2}");
        table.AddRow("tokens/s", FiniteJson.Cell(r.TokensPerSecond, "F0"));
        console.Write(table);
    }
}

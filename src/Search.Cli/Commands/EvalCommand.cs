using System.CommandLine;
using Search.Application.Eval;
using Search.Model.Checkpoints;
using Search.Model.Runtime;
using Search.Data;
using Search.Training;
using Search.Data.Tasks;

namespace Search.Cli.Commands;

/// <summary><c>prunesearch eval</c>: the options → <see cref="ModelEvaluation.Run"/> (perplexity of a checkpoint on a corpus, and/or task accuracy).</summary>
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
        }.ParsedBy(BosModes.Parse);
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
            var dev = TorchRuntime.ResolveDevice(parse.GetValue(device)!);
            var dt = Checkpoint.ParseDtype(parse.GetValue(dtype)!);
            var taskSpecs = parse.GetValue(tasks) is { } list ? TaskCatalog.ParseList(list, "--tasks") : null;
            bool withTaskBos = TaskEncoding.ParseBos(parse.GetValue(taskBos)!);
            int? itemCap = TaskOptions.ParseItems(parse.GetValue(taskItems)!, "--task-items");
            // Task files are read before the model loads: a bad file costs no model build.
            var loadedTasks = taskSpecs?.Select(t => TaskCatalog.Load(t, parse.GetValue(dataDir)).Take(itemCap)).ToList();
            // Tasks without an explicit --dataset score the tasks only.
            bool tasksOnly = loadedTasks is not null && parse.GetResult(dataset) is null or { Implicit: true };
            ModelEvaluation.Run(output, new EvalRequest(parse.GetValue(model)!, tasksOnly ? null : parse.GetValue(dataset)!, parse.GetValue(split)!,
                parse.GetValue(seqLen), bosMode, parse.GetValue(maxWindows), parse.GetValue(batch), parse.GetValue(dataDir), dev, dt,
                WeightResidencies.Parse(parse.GetValue(weights)!), parse.GetValue(json), loadedTasks, withTaskBos));
            return 0;
        });
        return cmd;
    }
}

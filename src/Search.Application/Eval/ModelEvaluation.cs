using System.Text.Json;
using Search.Application.Views;
using Search.Data;
using Search.Data.Evaluation;
using Search.Data.Tasks;
using Search.Model;
using Search.Model.Checkpoints;
using Search.Training;
using Spectre.Console;
using static TorchSharp.torch;

namespace Search.Application.Eval;

/// <summary>What <c>eval</c> was asked, parsed and checked.</summary>
/// <param name="Dataset">The corpus to score; null scores the tasks only (tasks given, no dataset asked for).</param>
/// <param name="MaxWindows">Score only the first N windows (null: all).</param>
/// <param name="Batch">Windows per forward pass (0: automatic).</param>
/// <param name="Tasks">Multiple-choice tasks read before the model loads (null: none).</param>
/// <param name="TaskBos">Task contexts start with BOS.</param>
public sealed record EvalRequest(string Model, string? Dataset, string Split, int SeqLen, BosMode Bos, int? MaxWindows, int Batch,
    string? DataDir, Device Device, ScalarType Dtype, WeightResidency Weights, bool Json,
    IReadOnlyList<LoadedTask>? Tasks, bool TaskBos);

/// <summary>
/// <c>eval</c>: perplexity of a (dense or pruned) checkpoint on a corpus, and/or its accuracy on
/// multiple-choice tasks, printed as a table or one JSON object. A model whose perplexity is not
/// finite is printed as such and then refused (one line naming the model).
/// </summary>
public static class ModelEvaluation
{
    public static void Run(TextWriter output, EvalRequest r)
    {
        var log = r.Json ? null : output;
        using var loaded = ModelSources.Load(r.Model, r.Dtype, r.Device, log, r.Weights);
        if (r.Dataset is null)
        {
            EvalTasks(output, r, loaded);
            return;
        }
        var source = ModelSources.ResolveDataset(r.Dataset, r.Split, r.DataDir, log);
        var windows = CorpusTokens.EvalWindowsOf(source, loaded.Tokenizer, TokenCache.OpenDefault(), r.Bos, r.SeqLen, r.MaxWindows);
        var result = Terminal.WithProgress(output, !r.Json, "evaluating", windows.Count, tick =>
            PerplexityEvaluator.Evaluate(loaded.Model, windows.Ids, windows.Count, windows.SeqLen,
                source.Dataset, source.Split, BosModes.Name(r.Bos), loaded.Hash, r.Batch, tick));
        // A model that overflows or holds NaN weights has no perplexity: say so, never print NaN as a result.
        string? problem = FiniteJson.NotFinite(result.Perplexity) is { } what
            ? $"{loaded.Dir}: perplexity is not finite ({what}; mean NLL {result.MeanNll}) on {source.Dataset}/{source.Split}: the model's logits overflow or its weights hold NaN/inf"
            : null;
        if (r.Json)
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
                device = r.Device.ToString(),
                error = problem,
                tasks = r.Tasks is null ? null : TaskTables.Json(ScoreTasks(output, false, loaded, r)),
            }, FiniteJson.Options));
        else
        {
            PrintTable(output, loaded.Dir, result);
            if (r.Tasks is not null) TaskTables.Print(output, ScoreTasks(output, true, loaded, r));
        }
        if (problem is not null) throw new UserInputException(problem);
    }

    private static TaskSuiteResult ScoreTasks(TextWriter output, bool progress, LoadedModel loaded, EvalRequest r) =>
        Terminal.WithProgress(output, progress, "scoring tasks", TaskEvaluator.RequestCount(r.Tasks!), tick =>
            TaskEvaluator.EvaluateAll(loaded.Model, loaded.Tokenizer, r.Tasks!, r.TaskBos, r.Batch, tick));

    private static void EvalTasks(TextWriter output, EvalRequest r, LoadedModel loaded)
    {
        var suite = ScoreTasks(output, !r.Json, loaded, r);
        if (r.Json)
            output.WriteLine(JsonSerializer.Serialize(new
            {
                model = loaded.Dir,
                model_hash = loaded.Hash,
                dtype = Checkpoint.DtypeName(loaded.Model.DType),
                device = r.Device.ToString(),
                tasks = TaskTables.Json(suite),
            }, FiniteJson.Options));
        else
        {
            output.WriteLine($"model {loaded.Dir} ({loaded.Hash})");
            TaskTables.Print(output, suite);
        }
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

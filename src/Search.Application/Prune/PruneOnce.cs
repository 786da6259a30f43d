using System.Text.Json;
using Search.Application.Views;
using Search.Application.Export;
using Search.Data;
using Search.Model;
using Search.Model.Checkpoints;
using Search.Objective;
using Search.Pruning.Pipeline;
using Search.Pruning.Statistics;
using Search.Pruning.Surgery;
using Search.Runtime.LlamaCpp;
using Search.Training;
using static TorchSharp.torch;

namespace Search.Application.Prune;

/// <summary>What one pruning pass needs, every value already parsed and checked.</summary>
/// <param name="Model">A model folder, <c>embedded</c> or <c>zoo:NAME</c> (<see cref="ModelSources"/>).</param>
/// <param name="OutPath">Where to write the pruned model as <paramref name="Target"/> says; null: not written.</param>
/// <param name="StatsCacheDir">Folder of cached calibration sums; null: the default cache.</param>
public sealed record PruneOnceRequest(
    string Model, PruningRecipe Recipe, PoolSpec Pool, EvalSpec Eval, StatisticsMode StatisticsMode,
    ExportTarget Target, string? OutPath, string? StatsCacheDir, string? DataDir,
    Device Device, ScalarType Dtype, WeightResidency Weights, int Threads);

/// <summary>
/// <c>prune</c>'s use case: one FLAP-style pass — calibration statistics (cached on disk), metric
/// mixture scores, allocation, surgery with optional compensation, dense and pruned perplexity —
/// and optionally the pruned model written in a deployment format. The report is the one shape both
/// the console table and the JSON print.
/// </summary>
public static class PruneOnce
{
    /// <summary>
    /// <c>prune</c>: runs the pass and prints its report as tables or JSON; a perplexity that is not
    /// finite is printed and then refused (one line). Returns false when the written GGUF's quantized
    /// perplexity failed its check.
    /// </summary>
    public static bool RunAndPrint(TextWriter output, PruneOnceRequest r, bool json)
    {
        var report = Run(r, json ? null : output);
        if (json) output.WriteLine(JsonSerializer.Serialize(report, PruneReport.JsonOptions));
        else PruneTables.Print(Terminal.ConsoleFor(output), report);
        if (report.Error is { } problem) throw new UserInputException(problem);
        return report.Quantization?.Perplexity is not { Passed: false };
    }

    /// <param name="log">Progress lines (null: quiet, for JSON output).</param>
    public static PruneReport Run(PruneOnceRequest r, TextWriter? log)
    {
        using var loaded = ModelSources.Load(r.Model, r.Dtype, r.Device, log, r.Weights);
        if (r.OutPath is not null && Path.GetFullPath(r.OutPath).TrimEnd('/') == Path.GetFullPath(loaded.Dir).TrimEnd('/'))
            throw new UserInputException($"{r.OutPath}: the output must not be the dense model's folder (saving replaces its weights)");
        r.Recipe.Allocation.EnsureFits(loaded.Model);
        var tokens = TokenCache.OpenDefault();
        CalibrationWindows? windows = null;
        if (r.Recipe.NeedsStatistics)
        {
            var source = ModelSources.ResolveDataset(r.Pool.Source, r.Pool.Split, r.DataDir, log);
            windows = CorpusTokens.CalibrationWindowsOf(source, loaded.Tokenizer, tokens, r.Pool);
        }
        var evalSource = ModelSources.ResolveDataset(r.Eval.Dataset, r.Eval.Split, r.DataDir, log);
        var evalWindows = CorpusTokens.EvalWindowsOf(evalSource, loaded.Tokenizer, tokens, BosMode.Corpus, r.Eval.SeqLen, r.Eval.MaxWindows);
        var cache = r.StatsCacheDir is { } dir ? new CalibrationStatsCache(dir) : CalibrationStatsCache.OpenDefault();

        var request = new PruneRequest(r.Recipe, r.Pool, windows, evalWindows, cache, StatisticsMode: r.StatisticsMode);
        using var outcome = PruneRun.Run(loaded.Model, loaded.Hash, request,
            (stage, total) => { log?.WriteLine($"{stage} ({total} windows)"); return _ => { }; });
        string? outPath = r.OutPath;
        QuantizedGguf? quantized = null;
        if (outPath is not null)
        {
            var checkWindows = new GgufCheckWindows(evalWindows.Ids, evalWindows.Count, evalWindows.SeqLen);
            (var written, quantized) = r.Target.Write(outcome.Pruned, loaded.Dir, outPath, r.Threads, checkWindows);
            outPath = written.Path;
        }
        var report = PruneReport.Of(loaded, outcome, r.Recipe.Mixture.ToString(), CompensationNames.Name(r.Recipe.Compensation),
            StatisticsModeNames.Name(r.StatisticsMode), windows is null ? null : r.Pool, r.Eval, outPath, r.Device.ToString());
        return quantized is null ? report : report with { Quantization = PruneQuantization.Of(quantized) };
    }
}

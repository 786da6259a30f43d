using Search.Application.Stores;
using Search.Model;
using Search.Model.Runtime;
using Search.Model.Export;
using Search.Objective;
using Search.Optimization.Spaces;
using Search.Optimization.Trials;
using Search.Records;
using Search.Reporting;
using Search.Runtime.LlamaCpp;
using Search.Training;
using static TorchSharp.torch;

namespace Search.Application.Export;

/// <summary>
/// <c>export</c>'s use case: rebuilds a stored trial's pruned model from its params alone (same
/// calibration pool, mixture, allocation and surgery as the search — the study's stored objective
/// settings and space), writes it in one of the deployment formats, and checks the written model
/// where a loader exists (<see cref="ExportChecks"/>): the compact HF folder must reload to the stored
/// proxy ppl exactly, hf-padded within 1e-5, and the GGUF in llama.cpp within 1e-3 (f32) of it.
/// </summary>
public static class TrialExport
{
    /// <summary>
    /// <c>export</c>: reads the study from its stores (one line naming a damaged file, before libtorch
    /// loads), then <see cref="Run(StudyData, int?, string, ExportTarget, string?, string?, int, TextWriter)"/>.
    /// </summary>
    public static ExportCheck Run(IReadOnlyList<string> dbs, string study, int? displayNumber, string outPath, ExportTarget target,
        string? modelOverride, string? dataDir, int threads, TextWriter output)
    {
        var data = StudyStores.Load(dbs, study);
        TorchRuntime.Initialize(threads);
        return Run(data, displayNumber, outPath, target, modelOverride, dataDir, threads, output);
    }

    /// <param name="displayNumber">The trial as tables number it (1-based); null: the best searched trial (<see cref="SearchedRule"/>).</param>
    /// <param name="modelOverride">The dense model folder (null: the path stored with the study); its content hash must match the study's.</param>
    /// <param name="output">Progress and the outcome lines (what was written, the check).</param>
    public static ExportCheck Run(StudyData data, int? displayNumber, string outPath, ExportTarget target, string? modelOverride, string? dataDir,
        int threads, TextWriter output)
    {
        var chosen = Choose(data, displayNumber);
        var settings = AttrJson.TryDeserialize<ObjectiveSettings>(data.Record.ObjectiveDescription)
                       ?? throw new ReportInputException($"study '{data.Name}' stores no objective settings JSON: it cannot be rebuilt");
        ReportWriter.EnsureWritable(target.FolderOf(outPath));
        string modelDir = modelOverride ?? data.Record.ModelPath;
        if (!Directory.Exists(modelDir))
            throw new ReportInputException($"model folder {modelDir} not found (export rebuilds from the dense model; pass the model folder)");
        var loaded = ModelSources.Load(modelDir, ScalarType.Float32, CPU, output);
        if (loaded.Hash != data.Record.ModelHash)
        {
            loaded.Dispose();
            throw new ReportInputException($"{modelDir}: content hash {loaded.Hash} differs from the study's {data.Record.ModelHash}");
        }
        using var model = loaded;
        var space = SearchSpace.Parse(data.Record.SpaceJson);
        using var setup = SearchSetup.Create(loaded, settings, dataDir, space, output);
        var runner = setup.Runner;
        // The same windows the trial was scored on: its fidelity budget or the study's proxy windows.
        var proxy = runner.ProxyFor(chosen.FidelityTokens);
        ExportedModel written;
        QuantizedGguf? quantized;
        using (var scope = NewDisposeScope())
        {
            using var pruned = runner.Build(chosen.Params, out _);
            (written, quantized) = target.Write(pruned, loaded.Dir, outPath, threads, new GgufCheckWindows(proxy.Ids, proxy.Count, proxy.SeqLen));
        }
        output.WriteLine($"exported study '{data.Name}' trial {chosen.Number + 1} as {ExportFormats.Name(target.Format)}" +
                         (target.Format == ExportFormat.Gguf ? $" ({target.Quant?.Name ?? ExportFormats.Name(target.GgufType)}, architecture {written.Architecture})" : "") +
                         $" to {written.Path}");
        foreach (var line in quantized?.Report.Lines() ?? []) output.WriteLine(line);
        // The proxy perplexity (a KL-fitness study's value is the KL; its ppl is stored as a score beside it).
        var ppl = chosen.Scores.FirstOrDefault(s => s.Name == "ppl");
        var stored = new StoredScore(ppl?.Value ?? chosen.Value!.Value, ppl?.Tokens ?? chosen.Scores.FirstOrDefault()?.Tokens ?? -1, proxy.Split);
        var check = ExportChecks.Run(written, target, stored, proxy, threads, quantized?.Check);
        if (check.Line is not null) output.WriteLine(check.Line);
        return check;
    }

    /// <summary>The trial to export: a complete one, by number or the best searched.</summary>
    public static FrozenTrial Choose(StudyData data, int? displayNumber)
    {
        var chosen = displayNumber is { } n
            ? data.TrialByDisplayNumber(n)
            : new StudySummary(data).BestSearched?.Trial ?? throw new ReportInputException($"study '{data.Name}' has no complete searched trial");
        if (chosen.State != TrialState.Complete || chosen.Value is null)
            throw new ReportInputException($"study '{data.Name}' trial {chosen.Number + 1} is {chosen.State}: only complete trials can be exported");
        return chosen;
    }
}

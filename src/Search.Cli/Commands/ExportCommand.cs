using System.CommandLine;
using System.Globalization;
using Search.Data;
using Search.Training;
using Search.Objective;
using Search.Model;
using Search.Model.Export;
using Search.Model.Runtime;
using Search.Optimization.Spaces;
using Search.Optimization.Trials;
using Search.Reporting;
using Search.Runtime.LlamaCpp;
using Search.Records;
using static TorchSharp.torch;

namespace Search.Cli.Commands;

/// <summary>
/// <c>prunesearch export</c>: rebuilds a stored trial's pruned model from its params alone (same
/// calibration pool, mixture, allocation and surgery as the search), writes it in one of the
/// deployment formats, and checks the written model where a loader exists (<see cref="ExportChecks"/>):
/// the compact HF folder must reload to the stored proxy ppl exactly, hf-padded within 1e-5, and
/// the GGUF in llama.cpp within 1e-3 (f32) of it.
/// </summary>
public static class ExportCommand
{
    public static Command Create(TextWriter output)
    {
        var study = StudyOptions.Study();
        var dbs = ReportStores.Dbs();
        var trial = new Option<string>("--trial") { Description = "trial number (1-based, as tables print it) or 'best' (best searched on the search split)", DefaultValueFactory = _ => "best" };
        var outDir = new Option<string>("--out") { Description = "output folder (gguf: a .gguf file, or a folder to write model-f32.gguf / model-f16.gguf in)", Required = true };
        var format = ExportOptions.Format();
        var ggufType = ExportOptions.GgufType("--dtype");
        var padHeads = ExportOptions.PadHeads();
        var quant = ExportOptions.Quant();
        var model = new Option<string?>("--model") { Description = "dense model folder (default: the path stored with the study; its content hash must match)" };
        var dataDir = CommonOptions.DataDir();
        var threads = CommonOptions.Threads();
        var cmd = new Command("export", "Write a stored trial's pruned model, rebuilt deterministically from the stored params, as an HF folder " +
                                        "(hf: compact, reloads in PruneSearch; hf-padded: stock transformers; decilm: vLLM) or a GGUF file " +
                                        "(llama.cpp), and check the written model against the trial's stored proxy ppl where a loader exists.")
        {
            study, dbs, trial, outDir, format, ggufType, padHeads, quant, model, dataDir, threads,
        };
        cmd.SetAction(parse =>
        {
            var target = ExportOptions.Target(parse.GetValue(format)!, parse.GetValue(ggufType), "--dtype", parse.GetValue(padHeads), parse.GetValue(quant));
            var data = ReportStores.Load(parse.GetValue(dbs)!, parse.GetValue(study)!);
            string outPath = parse.GetValue(outDir)!;
            ReportWriter.EnsureWritable(ExportOptions.FolderOf(outPath, target.Format));
            TorchRuntime.Initialize(parse.GetValue(threads));
            var check = Export(output, data, parse.GetValue(trial)!, outPath, target, parse.GetValue(model), parse.GetValue(dataDir), parse.GetValue(threads));
            return check.Passed ? 0 : CliApp.InternalError;
        });
        return cmd;
    }

    public static ExportCheck Export(TextWriter output, StudyData data, string which, string outPath, ExportTarget target,
        string? modelOverride, string? dataDir, int threads)
    {
        var summary = new StudySummary(data);
        var chosen = which == "best"
            ? summary.BestSearched?.Trial ?? throw new ReportInputException($"study '{data.Name}' has no complete searched trial")
            : int.TryParse(which, NumberStyles.None, CultureInfo.InvariantCulture, out int n)
                ? data.TrialByDisplayNumber(n)
                : throw new ReportInputException($"--trial: '{which}' is not a trial number or 'best'");
        if (chosen.State != TrialState.Complete || chosen.Value is null)
            throw new ReportInputException($"study '{data.Name}' trial {chosen.Number + 1} is {chosen.State}: only complete trials can be exported");
        var settings = AttrJson.TryDeserialize<ObjectiveSettings>(data.Record.ObjectiveDescription)
                       ?? throw new ReportInputException($"study '{data.Name}' stores no objective settings JSON: it cannot be rebuilt");
        string modelDir = modelOverride ?? data.Record.ModelPath;
        if (!Directory.Exists(modelDir))
            throw new ReportInputException($"model folder {modelDir} not found (export rebuilds from the dense model; pass --model)");
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
            (written, quantized) = ExportOptions.Write(pruned, loaded.Dir, outPath, target, threads, new GgufCheckWindows(proxy.Ids, proxy.Count, proxy.SeqLen));
        }
        output.WriteLine($"exported study '{data.Name}' trial {chosen.Number + 1} as {ExportFormats.Name(target.Format)}" +
                         (target.Format == ExportFormat.Gguf ? $" ({target.Quant?.Name ?? ExportFormats.Name(target.GgufType)}, architecture {written.Architecture})" : "") +
                         $" to {written.Path}");
        foreach (var line in quantized?.Report.Lines() ?? []) output.WriteLine(line);
        // The proxy perplexity (a KL-fitness study's value is the KL; its ppl is stored as a score beside it).
        var ppl = chosen.Scores.FirstOrDefault(s => s.Name == "ppl");
        var stored = new StoredScore(ppl?.Value ?? chosen.Value.Value, ppl?.Tokens ?? chosen.Scores.FirstOrDefault()?.Tokens ?? -1, proxy.Split);
        var check = ExportChecks.Run(written, target, stored, proxy, threads, quantized?.Check);
        if (check.Line is not null) output.WriteLine(check.Line);
        return check;
    }
}

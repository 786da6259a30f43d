using System.CommandLine;
using System.Globalization;
using Search.Data;
using Search.Objective;
using Search.Model;
using Search.Model.Checkpoints;
using Search.Model.Runtime;
using Search.Optimization.Spaces;
using Search.Optimization.Trials;
using Search.Data.Evaluation;
using Search.Reporting;
using Search.Records;
using static TorchSharp.torch;

namespace Search.Cli.Commands;

/// <summary>
/// <c>prunesearch export</c>: rebuilds a stored trial's pruned model from its params alone (same
/// calibration pool, mixture, allocation and surgery as the search), writes an HF folder, reloads
/// it and proves the reload scores the trial's stored proxy ppl exactly.
/// </summary>
public static class ExportCommand
{
    public static Command Create(TextWriter output)
    {
        var study = StudyOptions.Study();
        var dbs = ReportStores.Dbs();
        var trial = new Option<string>("--trial") { Description = "trial number (1-based, as tables print it) or 'best' (best searched on the search split)", DefaultValueFactory = _ => "best" };
        var outDir = new Option<string>("--out") { Description = "output folder for the pruned HF checkpoint", Required = true };
        var model = new Option<string?>("--model") { Description = "dense model folder (default: the path stored with the study; its content hash must match)" };
        var dataDir = CommonOptions.DataDir();
        var threads = CommonOptions.Threads();
        var cmd = new Command("export", "Write a stored trial's pruned model as an HF folder (config.json, safetensors, tokenizer), rebuilt " +
                                        "deterministically from the stored params, and check the reload's proxy ppl equals the stored value.")
        {
            study, dbs, trial, outDir, model, dataDir, threads,
        };
        cmd.SetAction(parse =>
        {
            var data = ReportStores.Load(parse.GetValue(dbs)!, parse.GetValue(study)!);
            string outPath = parse.GetValue(outDir)!;
            ReportWriter.EnsureWritable(outPath);
            TorchRuntime.Initialize(parse.GetValue(threads));
            var result = Export(output, data, parse.GetValue(trial)!, outPath, parse.GetValue(model), parse.GetValue(dataDir));
            return result.Matches ? 0 : CliApp.InternalError;
        });
        return cmd;
    }

    public sealed record ExportResult(int Trial, double StoredPpl, double ReloadPpl, long StoredTokens, long ReloadTokens, string Dir)
    {
        public bool Matches => StoredPpl == ReloadPpl && StoredTokens == ReloadTokens;
    }

    public static ExportResult Export(TextWriter output, StudyData data, string which, string outDir, string? modelOverride, string? dataDir)
    {
        var summary = new StudySummary(data);
        var chosen = which == "best"
            ? summary.BestSearched?.Trial ?? throw new ReportInputException($"study '{data.Name}' has no complete searched trial")
            : int.TryParse(which, NumberStyles.None, CultureInfo.InvariantCulture, out int n)
                ? data.TrialByDisplayNumber(n)
                : throw new ReportInputException($"--trial: '{which}' is not a trial number or 'best'");
        if (chosen.State != TrialState.Complete || chosen.Value is not double stored)
            throw new ReportInputException($"study '{data.Name}' trial {chosen.Number + 1} is {chosen.State}: only complete trials can be exported");
        var settings = AttrJson.TryDeserialize<ObjectiveSettings>(data.Record.ObjectiveDescription)
                       ?? throw new ReportInputException($"study '{data.Name}' stores no objective settings JSON: it cannot be rebuilt");
        string modelDir = modelOverride ?? data.Record.ModelPath;
        if (!Directory.Exists(modelDir))
            throw new ReportInputException($"model folder {modelDir} not found (export rebuilds from the dense model; pass --model)");
        var loaded = ModelLocator.Load(modelDir, ScalarType.Float32, CPU, output);
        if (loaded.Hash != data.Record.ModelHash)
        {
            loaded.Dispose();
            throw new ReportInputException($"{modelDir}: content hash {loaded.Hash} differs from the study's {data.Record.ModelHash}");
        }
        using var model = loaded;
        var space = SearchSpace.Parse(data.Record.SpaceJson);
        using var setup = SearchSetup.Create(loaded, settings, dataDir, space, output);
        var runner = setup.Runner;
        using (var scope = NewDisposeScope())
        {
            using var pruned = runner.Build(chosen.Params, out _);
            Checkpoint.Save(pruned, outDir, loaded.Dir);
        }
        // The same windows the trial was scored on: its fidelity budget or the study's proxy windows.
        var proxy = runner.ProxyFor(chosen.FidelityTokens);
        NllTotal reload;
        using (var scope = NewDisposeScope())
        using (var reloaded = Checkpoint.Load(outDir, ScalarType.Float32, CPU))
            reload = PerplexityEvaluator.NllSum(reloaded, proxy.Ids, proxy.Count, proxy.SeqLen);
        double reloadPpl = reload.Perplexity;
        long scored = reload.Tokens;
        long storedTokens = chosen.Scores.FirstOrDefault()?.Tokens ?? -1;
        var result = new ExportResult(chosen.Number + 1, stored, reloadPpl, storedTokens, scored, outDir);
        output.WriteLine($"exported study '{data.Name}' trial {result.Trial} to {outDir}");
        output.WriteLine($"stored proxy ppl {stored.ToString("R", CultureInfo.InvariantCulture)} ({storedTokens} tokens of {proxy.Split}); " +
                         $"reloaded {reloadPpl.ToString("R", CultureInfo.InvariantCulture)} ({scored} tokens): {(result.Matches ? "identical" : "MISMATCH")}");
        return result;
    }
}

using System.CommandLine;
using System.Globalization;
using Search.Application.Export;
using Search.Reporting;

namespace Search.Cli.Commands;

/// <summary>
/// <c>prunesearch export</c>: options → <see cref="TrialExport.Run"/> (rebuild a stored trial's pruned
/// model from its params, write it in a deployment format, check the written model).
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
            int? number = TrialNumber(parse.GetValue(trial)!);
            var check = TrialExport.Run(parse.GetValue(dbs)!, parse.GetValue(study)!, number, parse.GetValue(outDir)!, target, parse.GetValue(model), parse.GetValue(dataDir), parse.GetValue(threads), output);
            return check.Passed ? 0 : CliApp.InternalError;
        });
        return cmd;
    }

    /// <summary>--trial: a 1-based number, or null for 'best'.</summary>
    private static int? TrialNumber(string which) =>
        which == "best" ? null
        : int.TryParse(which, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n
        : throw new ReportInputException($"--trial: '{which}' is not a trial number or 'best'");
}

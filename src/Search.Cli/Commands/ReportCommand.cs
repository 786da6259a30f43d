using System.CommandLine;
using Search.Application.Reports;
using Search.Reporting;
using Search.Reporting.Tables;

namespace Search.Cli.Commands;

/// <summary>
/// <c>prunesearch report</c>: tables (md, csv, latex, json) and PNG plots of a study, from the
/// study file alone (no model, no data).
/// </summary>
public static class ReportCommand
{
    public static Command Create(TextWriter output)
    {
        var study = StudyOptions.Study();
        var dbs = ReportStores.Dbs();
        var format = new Option<string>("--format") { Description = "md, csv, latex or json", DefaultValueFactory = _ => "md" }.ParsedBy(ReportFormats.Parse);
        var outDir = new Option<string?>("--out") { Description = "output folder (default: report-STUDY)" };
        var top = new Option<int>("--top") { Description = "trials in the top-k table and the mixture plot", DefaultValueFactory = _ => ReportWriter.DefaultTopK }.AtLeast(1);
        var experiment = new Option<string?>("--experiment") { Description = "experiments/*.json whose published rows go next to the measured ones" };
        var cmd = new Command("report", "Write a study's report: protocol, best searched vs hand-set baselines (validation and test ppl, " +
                                        "params, widths, calibration, metric mix), improvement surviving on test, top-k trials, and " +
                                        "PNG plots (history, Pareto front, per-layer widths, metric mixtures). Reads the study file only.")
        {
            study, dbs, format, outDir, top, experiment,
        };
        cmd.SetAction(parse =>
        {
            string name = parse.GetValue(study)!;
            StudyReports.Run(output, parse.GetValue(dbs)!, name, ReportFormats.Parse(parse.GetValue(format)!),
                parse.GetValue(outDir) ?? $"report-{name}", parse.GetValue(top), parse.GetValue(experiment));
            return 0;
        });
        return cmd;
    }
}

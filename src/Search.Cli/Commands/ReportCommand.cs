using System.CommandLine;
using Search.Application.Stores;
using Search.Reporting;
using Search.Reporting.Experiments;
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
        var format = new Option<string>("--format") { Description = "md, csv, latex or json", DefaultValueFactory = _ => "md" };
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
            var published = parse.GetValue(experiment) is { } e ? ExperimentSpec.Load(e).Published : [];
            var files = Write(parse.GetValue(dbs)!, name, ReportFormats.Parse(parse.GetValue(format)!),
                parse.GetValue(outDir) ?? $"report-{name}", published, parse.GetValue(top), null);
            foreach (var f in files) output.WriteLine($"wrote {f}");
            return 0;
        });
        return cmd;
    }

    /// <summary>Loads the study (and every study of the files, for the Pareto plot) and writes the report.</summary>
    public static IReadOnlyList<string> Write(IReadOnlyList<string> dbs, string study, ReportFormat format, string outDir,
        IReadOnlyList<PublishedRow> published, int top, string? regenerate)
    {
        if (top < 1) throw new ReportInputException($"--top must be at least 1, got {top}");
        var summary = new StudySummary(StudyStores.Load(dbs, study));
        var all = StudyStores.LoadAll(dbs).Select(d => d.Name == study ? summary : new StudySummary(d)).ToList();
        regenerate ??= $"prunesearch report {string.Join(" ", dbs.Select(d => $"--db {d}"))} --study {study} --format {format.Extension()} --out {outDir}";
        return ReportWriter.Write(summary, all, format, outDir, published, top, regenerate);
    }

    /// <summary>
    /// The report of one experiment run with several search seeds: the seed table on top, then the
    /// full report of the study whose gain is the median.
    /// </summary>
    public static IReadOnlyList<string> WriteSeeds(IReadOnlyList<string> dbs, IReadOnlyList<string> studies, string outDir,
        IReadOnlyList<PublishedRow> published, string regenerate)
    {
        var seeds = studies.Select(name => new StudySummary(StudyStores.Load(dbs, name))).ToList();
        var median = Search.Reporting.Tables.SeedTable.Median(seeds);
        // The experiment's own studies only: a store that also holds an older run's studies does not leak them into its plots.
        return ReportWriter.Write(median, seeds, ReportFormat.Markdown, outDir, published, ReportWriter.DefaultTopK, regenerate, seeds);
    }
}

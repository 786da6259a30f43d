using Search.Application.Stores;
using Search.Reporting;
using Search.Reporting.Experiments;
using Search.Reporting.Tables;

namespace Search.Application.Reports;

/// <summary><c>report</c> and the report <c>reproduce</c> writes: a study's tables and plots from its stores alone.</summary>
public static class StudyReports
{
    /// <summary><c>report</c>: writes the study's report, with the published rows of <paramref name="experimentFile"/> (if any), and names the files written.</summary>
    public static void Run(TextWriter output, IReadOnlyList<string> dbs, string study, ReportFormat format, string outDir, int top, string? experimentFile)
    {
        var published = experimentFile is null ? [] : ExperimentSpec.Load(experimentFile).Published;
        foreach (var f in Write(dbs, study, format, outDir, published, top, null)) output.WriteLine($"wrote {f}");
    }

    /// <summary>Loads the study (and every study of the files, for the Pareto plot) and writes the report.</summary>
    /// <param name="regenerate">The command that rewrites this report (null: the <c>report</c> command with these arguments).</param>
    public static IReadOnlyList<string> Write(IReadOnlyList<string> dbs, string study, ReportFormat format, string outDir,
        IReadOnlyList<PublishedRow> published, int top, string? regenerate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
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
        var median = SeedTable.Median(seeds);
        // The experiment's own studies only: a store that also holds an older run's studies does not leak them into its plots.
        return ReportWriter.Write(median, seeds, ReportFormat.Markdown, outDir, published, ReportWriter.DefaultTopK, regenerate, seeds);
    }
}

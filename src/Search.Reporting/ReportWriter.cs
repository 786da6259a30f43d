using System.Text.Json;
using Search.Reporting.Experiments;
using Search.Reporting.Plots;
using Search.Reporting.Tables;

namespace Search.Reporting;

/// <summary>
/// Writes a study's report into a folder: the tables in one format (report.md, report.tex,
/// report.json, or one CSV per table) and the four PNG plots. Reads the store only.
/// </summary>
public static class ReportWriter
{
    public const int DefaultTopK = 10;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static IReadOnlyList<ReportTable> Tables(StudySummary s, IReadOnlyList<PublishedRow> published, int topK,
        IReadOnlyList<StudySummary>? seeds = null)
    {
        var tables = new List<ReportTable>();
        if (seeds is { Count: > 1 }) tables.Add(SeedTable.Of(seeds));
        tables.AddRange([ReportTables.Protocol(s), ReportTables.Summary(s), ReportTables.Improvement(s)]);
        if (DecompositionTable.Of(s) is { } decomposition) tables.Add(decomposition);
        if (LevelTable.Of(s) is { } levels) tables.Add(levels);
        tables.Add(ReportTables.Top(s, topK));
        if (published.Count > 0) tables.Add(ReportTables.Published(s, published));
        if (ReportTables.PublishedZeroShot(s, published) is { } zeroShot) tables.Add(zeroShot);
        if (ReportTables.Speed(s) is { } speed) tables.Add(speed);
        if (ReportTables.Tasks(s) is { } tasks) tables.Add(tasks);
        return tables;
    }

    public static string Sentence(StudySummary s) =>
        s.Improvement?.Sentence()
        ?? (s.BestBaseline is null
            ? "No hand-set baseline was finalized on the test split: no improvement to state."
            : "No searched trial was finalized on the test split: no improvement to state.");

    /// <summary>Writes everything and returns the files written (report first, then plots).</summary>
    /// <param name="seeds">The studies of one experiment run with several search seeds (<paramref name="s"/> is the median one), or null.</param>
    public static IReadOnlyList<string> Write(StudySummary s, IReadOnlyList<StudySummary> all, ReportFormat format, string outDir,
        IReadOnlyList<PublishedRow> published, int topK = DefaultTopK, string? regenerate = null, IReadOnlyList<StudySummary>? seeds = null)
    {
        EnsureWritable(outDir);
        var plots = new[]
        {
            HistoryPlot.Write(s, outDir), ParetoPlot.Write(s, all, outDir), WidthsPlot.Write(s, outDir), MixturePlot.Write(s, topK, outDir),
        }.Concat(SpeedParetoPlot.Write(s, outDir) is { } speedPlot ? [speedPlot] : []).ToArray();
        var tables = Tables(s, published, topK, seeds);
        var files = new List<string>();
        void Text(string name, string content)
        {
            string path = Path.Combine(outDir, name);
            File.WriteAllText(path, content);
            files.Add(path);
        }
        switch (format)
        {
            case ReportFormat.Markdown: Text("report.md", Markdown(s, tables, plots, regenerate)); break;
            case ReportFormat.Latex: Text("report.tex", Latex(s, tables)); break;
            case ReportFormat.Csv: foreach (var t in tables) Text(t.Id + ".csv", CsvTable.Render(t)); break;
            default:
                Text("report.json", JsonSerializer.Serialize(new ReportDocument(s.Data.Name, Sentence(s), s.Improvement, tables, published,
                    plots.Select(Path.GetFileName).ToList()!), Json) + "\n");
                break;
        }
        files.AddRange(plots);
        return files;
    }

    public static string Markdown(StudySummary s, IReadOnlyList<ReportTable> tables, IReadOnlyList<string> plots, string? regenerate)
    {
        var w = new StringWriter { NewLine = "\n" };
        w.WriteLine($"# Study {s.Data.Name}");
        w.WriteLine();
        w.WriteLine(Sentence(s));
        w.WriteLine();
        foreach (var t in tables)
        {
            w.WriteLine($"## {t.Title}");
            w.WriteLine();
            w.Write(MarkdownTable.Render(t));
            w.WriteLine();
        }
        w.WriteLine("## Plots");
        w.WriteLine();
        foreach (var p in plots)
        {
            string name = Path.GetFileName(p);
            w.WriteLine($"![{Path.GetFileNameWithoutExtension(name)}]({name})");
            w.WriteLine();
        }
        if (regenerate is not null)
        {
            w.WriteLine($"Regenerate (from the study file alone): `{regenerate}`");
            w.WriteLine();
        }
        return w.ToString();
    }

    /// <summary>Table fragments for \input: no preamble, no document environment.</summary>
    public static string Latex(StudySummary s, IReadOnlyList<ReportTable> tables)
    {
        var w = new StringWriter { NewLine = "\n" };
        w.WriteLine($"% PruneSearch report, study {s.Data.Name}: table fragments, \\input into a document.");
        w.WriteLine("% " + Sentence(s));
        foreach (var t in tables)
        {
            w.WriteLine();
            w.Write(LatexTable.Render(t));
        }
        return w.ToString();
    }

    /// <summary>Creates the folder and proves a file can be written there, or one clear error.</summary>
    public static void EnsureWritable(string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
            string probe = Path.Combine(dir, $".write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new ReportInputException($"output folder {dir} is not writable ({e.Message.ReplaceLineEndings(" ")})", e);
        }
    }
}

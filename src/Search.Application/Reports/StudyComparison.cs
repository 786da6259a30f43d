using System.Text.Json;
using Search.Application.Stores;
using Search.Reporting;
using Search.Reporting.Tables;

namespace Search.Application.Reports;

/// <summary>One column <c>compare</c> was asked for: a study's trial by its displayed (1-based) number, or its best searched trial.</summary>
/// <param name="DisplayNumber">As tables print it; null: the best searched trial (<see cref="Search.Records.SearchedRule"/>).</param>
public sealed record ComparedTrial(string Study, int? DisplayNumber);

/// <summary>
/// <c>compare</c>: studies (their best searched config each) or chosen trials side by side, as
/// markdown, CSV, LaTeX or JSON, printed or written to a file.
/// </summary>
public static class StudyComparison
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <param name="studies">Compared by their best searched trial when <paramref name="trials"/> is empty.</param>
    /// <param name="outFile">Write here instead of <paramref name="output"/> (null: print).</param>
    public static void Run(TextWriter output, IReadOnlyList<string> dbs, IReadOnlyList<string> studies, IReadOnlyList<ComparedTrial> trials,
        ReportFormat format, string? outFile)
    {
        string text = Render(Build(dbs, studies, trials), format);
        if (outFile is { } path)
        {
            ReportWriter.EnsureWritable(Path.GetDirectoryName(Path.GetFullPath(path))!);
            File.WriteAllText(path, text);
            output.WriteLine($"wrote {path}");
        }
        else output.Write(text);
    }

    public static ReportTable Build(IReadOnlyList<string> dbs, IReadOnlyList<string> studies, IReadOnlyList<ComparedTrial> trials)
    {
        var cache = new Dictionary<string, StudySummary>();
        StudySummary Summary(string name) =>
            cache.TryGetValue(name, out var s) ? s : cache[name] = new StudySummary(StudyStores.Load(dbs, name));
        var columns = new List<CompareTable.Column>();
        if (trials.Count == 0)
            foreach (var name in studies)
                columns.Add(new CompareTable.Column(name, Summary(name), Summary(name).BestSearched));
        foreach (var (name, number) in trials)
        {
            var s = Summary(name);
            var view = number is int n
                ? s.Views.First(v => v.Number == s.Data.TrialByDisplayNumber(n).Number)
                : s.BestSearched ?? throw new ReportInputException($"study '{name}' has no complete searched trial");
            columns.Add(new CompareTable.Column($"{name} #{view.DisplayNumber}", s, view));
        }
        return CompareTable.Build(columns);
    }

    public static string Render(ReportTable table, ReportFormat format) => format switch
    {
        ReportFormat.Markdown => MarkdownTable.Render(table),
        ReportFormat.Csv => CsvTable.Render(table),
        ReportFormat.Latex => LatexTable.Render(table),
        _ => JsonSerializer.Serialize(table, JsonOptions) + "\n",
    };
}

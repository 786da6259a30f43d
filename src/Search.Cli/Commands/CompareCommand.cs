using System.CommandLine;
using Search.Application.Stores;
using Search.Reporting;
using Search.Reporting.Tables;

namespace Search.Cli.Commands;

/// <summary><c>prunesearch compare</c>: studies (their best searched config) or single trials side by side.</summary>
public static class CompareCommand
{
    public static Command Create(TextWriter output)
    {
        var studies = new Option<string[]>("--study") { Description = "a study to compare (its best searched trial); repeat for more", AllowMultipleArgumentsPerToken = true };
        var trials = new Option<string[]>("--trial")
        {
            Description = "a trial to compare: STUDY:N (1-based, as tables print it), STUDY:best, or N when one --study is given; repeat for more",
            AllowMultipleArgumentsPerToken = true,
        };
        var dbs = ReportStores.Dbs();
        var format = new Option<string>("--format") { Description = "md, csv, latex or json", DefaultValueFactory = _ => "md" };
        var outFile = new Option<string?>("--out") { Description = "write the table to this file instead of stdout" };
        var cmd = new Command("compare", "Side-by-side table of studies (best searched trial each) or of chosen trials, read from the study files.")
        {
            studies, trials, dbs, format, outFile,
        };
        cmd.SetAction(parse =>
        {
            var table = Build(parse.GetValue(dbs)!, parse.GetValue(studies) ?? [], parse.GetValue(trials) ?? []);
            var fmt = ReportFormats.Parse(parse.GetValue(format)!);
            string text = fmt switch
            {
                ReportFormat.Markdown => MarkdownTable.Render(table),
                ReportFormat.Csv => CsvTable.Render(table),
                ReportFormat.Latex => LatexTable.Render(table),
                _ => System.Text.Json.JsonSerializer.Serialize(table, new System.Text.Json.JsonSerializerOptions
                    { WriteIndented = true, PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower }) + "\n",
            };
            if (parse.GetValue(outFile) is { } path)
            {
                ReportWriter.EnsureWritable(Path.GetDirectoryName(Path.GetFullPath(path))!);
                File.WriteAllText(path, text);
                output.WriteLine($"wrote {path}");
            }
            else output.Write(text);
            return 0;
        });
        return cmd;
    }

    public static ReportTable Build(IReadOnlyList<string> dbs, IReadOnlyList<string> studies, IReadOnlyList<string> trials)
    {
        if (studies.Count + trials.Count < 1) throw new ReportInputException("compare needs at least one --study or --trial");
        var cache = new Dictionary<string, StudySummary>();
        StudySummary Summary(string name) =>
            cache.TryGetValue(name, out var s) ? s : cache[name] = new StudySummary(StudyStores.Load(dbs, name));
        var columns = new List<CompareTable.Column>();
        if (trials.Count == 0)
            foreach (var name in studies)
                columns.Add(new CompareTable.Column(name, Summary(name), Summary(name).BestSearched));
        foreach (var spec in trials)
        {
            int colon = spec.LastIndexOf(':');
            string name = colon >= 0 ? spec[..colon]
                : studies.Count == 1 ? studies[0]
                : throw new ReportInputException($"--trial {spec}: write STUDY:N when not exactly one --study is given");
            string which = colon >= 0 ? spec[(colon + 1)..] : spec;
            var s = Summary(name);
            TrialView view;
            if (which == "best") view = s.BestSearched ?? throw new ReportInputException($"study '{name}' has no complete searched trial");
            else if (int.TryParse(which, out int n)) view = s.Views.First(v => v.Number == s.Data.TrialByDisplayNumber(n).Number);
            else throw new ReportInputException($"--trial {spec}: '{which}' is not a trial number or 'best'");
            columns.Add(new CompareTable.Column($"{name} #{view.DisplayNumber}", s, view));
        }
        return CompareTable.Build(columns);
    }
}

using System.CommandLine;
using Search.Application.Reports;
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
        var format = new Option<string>("--format") { Description = "md, csv, latex or json", DefaultValueFactory = _ => "md" }.ParsedBy(ReportFormats.Parse);
        var outFile = new Option<string?>("--out") { Description = "write the table to this file instead of stdout" };
        var cmd = new Command("compare", "Side-by-side table of studies (best searched trial each) or of chosen trials, read from the study files.")
        {
            studies, trials, dbs, format, outFile,
        };
        cmd.SetAction(parse =>
        {
            var named = parse.GetValue(studies) ?? [];
            StudyComparison.Run(output, parse.GetValue(dbs)!, named, Columns(named, parse.GetValue(trials) ?? []),
                ReportFormats.Parse(parse.GetValue(format)!), parse.GetValue(outFile));
            return 0;
        });
        return cmd;
    }

    /// <summary>The --trial values as columns: STUDY:N, STUDY:best, or N / best of the one --study.</summary>
    public static IReadOnlyList<ComparedTrial> Columns(IReadOnlyList<string> studies, IReadOnlyList<string> trials)
    {
        if (studies.Count + trials.Count < 1) throw new ReportInputException("compare needs at least one --study or --trial");
        return trials.Select(spec =>
        {
            int colon = spec.LastIndexOf(':');
            string name = colon >= 0 ? spec[..colon]
                : studies.Count == 1 ? studies[0]
                : throw new ReportInputException($"--trial {spec}: write STUDY:N when not exactly one --study is given");
            string which = colon >= 0 ? spec[(colon + 1)..] : spec;
            return which == "best" ? new ComparedTrial(name, null)
                : int.TryParse(which, out int n) ? new ComparedTrial(name, n)
                : throw new ReportInputException($"--trial {spec}: '{which}' is not a trial number or 'best'");
        }).ToList();
    }
}

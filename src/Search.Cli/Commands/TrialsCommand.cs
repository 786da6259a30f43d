using System.CommandLine;
using Search.Application.Reports;
using Search.Model;

namespace Search.Cli.Commands;

/// <summary><c>prunesearch trials</c> and <c>best</c>: read a study from its database file alone (<see cref="TrialListing"/>).</summary>
public static class TrialsCommand
{
    public static Command Create(TextWriter output)
    {
        var study = StudyOptions.Study();
        var db = StudyOptions.Db();
        var format = new Option<string>("--format")
        {
            Description = "table (for reading), json (an array of flat objects) or csv (a header row): one row per trial with every param " +
                          "(vectors as param.NAME[i]), score (split, tokens), plan, timings, final scores, speed and error (README: Trials as data)",
            DefaultValueFactory = _ => "table",
        };
        var cmd = new Command("trials", "List a study's trials (state, proxy and test ppl, achieved ratio, config, time, error), or every stored field as JSON/CSV.")
        {
            study, db, format,
        };
        cmd.SetAction(parse =>
        {
            string f = parse.GetValue(format)!.Trim().ToLowerInvariant();
            var listFormat = f switch
            {
                "table" => TrialListFormat.Table,
                "json" => TrialListFormat.Json,
                "csv" => TrialListFormat.Csv,
                _ => throw new UserInputException($"--format: unknown value '{parse.GetValue(format)}' (expected table, json or csv)"),
            };
            TrialListing.Trials(output, parse.GetValue(db)!, parse.GetValue(study)!, listFormat);
            return 0;
        });
        return cmd;
    }

    public static Command CreateBest(TextWriter output)
    {
        var study = StudyOptions.Study();
        var db = StudyOptions.Db();
        var json = CommonOptions.Json();
        var cmd = new Command("best", "The best searched trial next to the hand-set baselines (finalized on the search and test splits).") { study, db, json };
        cmd.SetAction(parse =>
        {
            TrialListing.Best(output, parse.GetValue(db)!, parse.GetValue(study)!, parse.GetValue(json));
            return 0;
        });
        return cmd;
    }
}

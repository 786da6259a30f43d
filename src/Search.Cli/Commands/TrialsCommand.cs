using Search.Application.Views;
using System.CommandLine;
using Search.Application.Stores;
using Search.Model;
using Search.Optimization.Storage;
using Search.Records;
using Search.Reporting;
using Search.Reporting.Data;

namespace Search.Cli.Commands;

/// <summary><c>prunesearch trials</c> and <c>best</c>: read a study from its database file alone.</summary>
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
            if (f is not ("table" or "json" or "csv")) throw new UserInputException($"--format: unknown value '{parse.GetValue(format)}' (expected table, json or csv)");
            var (record, trials) = StudyStores.ReadTrials(parse.GetValue(db)!, parse.GetValue(study)!);
            if (f == "table") StudyTables.List(output, record.Name, TrialParams.MixComponentsOf(record.SpaceJson), trials);
            else output.Write(f == "json" ? TrialRowsText.Json(TrialRows.Of(trials)) : TrialRowsText.Csv(TrialRows.Of(trials)));
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
            var (record, trials) = StudyStores.ReadTrials(parse.GetValue(db)!, parse.GetValue(study)!);
            StudyData.EnsureScored(parse.GetValue(db)!, record.Name, trials);
            if (parse.GetValue(json)) output.Write(BestDocument.Json(record.Name, trials));
            else StudyTables.Summary(output, record.Name, trials);
            return 0;
        });
        return cmd;
    }
}

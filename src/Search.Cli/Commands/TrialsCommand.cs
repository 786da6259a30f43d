using System.CommandLine;
using Search.Model;
using Search.Optimization.Storage;

namespace Search.Cli.Commands;

/// <summary><c>prunesearch trials</c> and <c>best</c>: read a study from its database file alone.</summary>
public static class TrialsCommand
{
    public static Command Create(TextWriter output)
    {
        var study = StudyOptions.Study();
        var db = StudyOptions.Db();
        var cmd = new Command("trials", "List a study's trials (state, proxy and test ppl, achieved ratio, config, time, error).") { study, db };
        cmd.SetAction(parse =>
        {
            var (name, trials) = Read(parse.GetValue(db)!, parse.GetValue(study)!);
            StudyTables.List(output, name, trials);
            return 0;
        });
        return cmd;
    }

    public static Command CreateBest(TextWriter output)
    {
        var study = StudyOptions.Study();
        var db = StudyOptions.Db();
        var cmd = new Command("best", "The best searched trial next to the hand-set baselines (finalized on the search and test splits).") { study, db };
        cmd.SetAction(parse =>
        {
            var (name, trials) = Read(parse.GetValue(db)!, parse.GetValue(study)!);
            StudyTables.Summary(output, name, trials);
            return 0;
        });
        return cmd;
    }

    public static (string Name, IReadOnlyList<Search.Optimization.Trials.FrozenTrial> Trials) Read(string dbPath, string study)
    {
        if (!File.Exists(dbPath)) throw new UserInputException($"{dbPath}: database file not found");
        using var storage = new LiteDbStorage(dbPath);
        if (storage.FindStudy(study) is null)
            throw new UserInputException($"{dbPath}: no study named '{study}' (studies: {string.Join(", ", storage.GetStudies().Select(s => s.Name).DefaultIfEmpty("none"))})");
        var trials = storage.GetTrials(study);
        if (trials.Count == 0) throw new UserInputException($"study '{study}' has no trials yet");
        return (study, trials);
    }
}

using System.CommandLine;
using Search.Model;
using Search.Optimization.Storage;
using Search.Records;

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
            var (record, trials) = Read(parse.GetValue(db)!, parse.GetValue(study)!);
            StudyTables.List(output, record.Name, TrialParams.MixComponentsOf(record.SpaceJson), trials);
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
            var (record, trials) = Read(parse.GetValue(db)!, parse.GetValue(study)!);
            StudyTables.Summary(output, record.Name, trials);
            return 0;
        });
        return cmd;
    }

    /// <summary>The study and its trials, every attribute a table renders checked (<see cref="StoreReads"/>).</summary>
    public static (StudyRecord Record, IReadOnlyList<Search.Optimization.Trials.FrozenTrial> Trials) Read(string dbPath, string study)
    {
        if (!File.Exists(dbPath)) throw new UserInputException($"{dbPath}: database file not found");
        var read = StoreReads.Read(dbPath, () =>
        {
            using var storage = new LiteDbStorage(dbPath);
            var record = storage.FindStudy(study)
                ?? throw new UserInputException($"{dbPath}: no study named '{study}' (studies: {string.Join(", ", storage.GetStudies().Select(s => s.Name).DefaultIfEmpty("none"))})");
            return (record, storage.GetTrials(study));
        });
        if (read.Item2.Count == 0) throw new UserInputException($"study '{study}' has no trials yet");
        StoreReads.CheckAttrs(dbPath, study, read.Item2);
        return read;
    }

}

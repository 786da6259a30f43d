using System.CommandLine;
using Search.Optimization.Storage;
using Search.Reporting;

namespace Search.Cli.Commands;

/// <summary>
/// Opens stores read-only for report, compare, export, trials and best: nothing is ever created or
/// written (a missing, damaged or foreign file is one line and stays byte-identical); several
/// stores may be named.
/// </summary>
public static class ReportStores
{
    public static Option<string[]> Dbs() => new("--db")
    {
        Description = "store(s) holding the studies: LiteDB files or postgresql:// URLs; repeat to read several (e.g. results/*/study.db)",
        DefaultValueFactory = _ => [StudyOptions.DefaultDb],
        AllowMultipleArgumentsPerToken = true,
    };

    /// <summary>Every study in the given files (the files are opened and closed here).</summary>
    public static IReadOnlyList<StudyData> LoadAll(IReadOnlyList<string> dbs)
    {
        var all = new List<StudyData>();
        foreach (var db in dbs)
        {
            var studies = StoreReads.Read(db, () =>
            {
                using var storage = Open(db);
                return StudyData.LoadAll(storage);
            });
            foreach (var s in studies) StoreReads.CheckAttrs(db, s.Name, s.Trials);
            all.AddRange(studies);
        }
        return all;
    }

    /// <summary>The named study from the first file that has it, with unknown/empty errors naming what exists.</summary>
    public static StudyData Load(IReadOnlyList<string> dbs, string study)
    {
        var known = new List<string>();
        foreach (var db in dbs)
        {
            var found = StoreReads.Read(db, () =>
            {
                using var storage = Open(db);
                if (storage.FindStudy(study) is not null) return StudyData.Load(storage, study, db);
                known.AddRange(storage.GetStudies().Select(s => s.Name));
                return null;
            });
            if (found is not null)
            {
                StoreReads.CheckAttrs(db, study, found.Trials);
                return found;
            }
        }
        throw new ReportInputException(
            $"{string.Join(", ", dbs)}: no study named '{study}' (studies: {string.Join(", ", known.DefaultIfEmpty("none"))})");
    }

    /// <summary>Read-only: a report never creates or changes a store (a missing or foreign file is one line, left as it was).</summary>
    public static ITrialStorage Open(string db) => StorageLocator.Open(db, readOnly: true);
}

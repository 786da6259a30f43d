using Search.Model;
using Search.Optimization.Storage;
using Search.Optimization.Trials;
using Search.Reporting;

namespace Search.Application.Stores;

/// <summary>
/// Reading studies as the reading commands do (report, compare, export, trials, best): stores opened
/// read-only — nothing is ever created or written; a missing, damaged or foreign file is one line and
/// stays byte-identical — several stores may be named, and every attribute a table renders is checked
/// (<see cref="StoreReads"/>).
/// </summary>
public static class StudyStores
{
    /// <summary>Every study in the given stores (each opened and closed here).</summary>
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

    /// <summary>The named study from the first store that has it, with unknown/empty errors naming what exists.</summary>
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

    /// <summary>
    /// One study's record and trials (any state: <c>trials</c> lists failed ones too), every attribute a
    /// table renders checked; a study with no trials yet is one line.
    /// </summary>
    public static (StudyRecord Record, IReadOnlyList<FrozenTrial> Trials) ReadTrials(string db, string study)
    {
        var read = StoreReads.Read(db, () =>
        {
            using var storage = Open(db);
            var record = storage.FindStudy(study)
                ?? throw new UserInputException($"{storage.DisplayName}: no study named '{study}' (studies: {string.Join(", ", storage.GetStudies().Select(s => s.Name).DefaultIfEmpty("none"))})");
            return (record, storage.GetTrials(study));
        });
        if (read.Item2.Count == 0) throw new UserInputException($"study '{study}' has no trials yet");
        StoreReads.CheckAttrs(db, study, read.Item2);
        return read;
    }

    /// <summary>Read-only: a reading command never creates or changes a store.</summary>
    public static ITrialStorage Open(string db) => StorageLocator.Open(db, readOnly: true);
}

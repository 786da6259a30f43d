using Search.Application.Stores;
using Search.Application.Views;
using Search.Objective;
using Search.Optimization.Storage;
using Search.Optimization.Trials;

namespace Search.Application.Studies;

/// <summary>
/// <c>search</c> (and each arm of <c>reproduce</c>): run a study (<see cref="StudyRunner"/>) and print
/// the searched-vs-hand-set summary. An existing store is read once first, so a damaged or
/// hand-edited one is one line naming the file before the model loads.
/// </summary>
public static class StudySearch
{
    /// <summary>Runs the study to its trial count, logging to <paramref name="output"/>; returns its trials as stored at the end.</summary>
    public static IReadOnlyList<FrozenTrial> Run(TextWriter output, StudyRunOptions options)
    {
        if (File.Exists(options.Db)) ReadExisting(options.Db, options.Study);
        IReadOnlyList<FrozenTrial> trials;
        try
        {
            trials = StudyRunner.Run(output, options);
        }
        catch (LiteDB.LiteException e)
        {
            throw StoreReads.Damaged(options.Db, e); // LiteDB's errors name no file
        }
        StudyTables.Summary(output, options.Study, trials);
        return trials;
    }

    /// <summary>
    /// Everything a resume reads of <paramref name="study"/>: its record, trials, queue and rendered
    /// attributes, opened read-only: a writable open of a file cut short would let LiteDB flag or
    /// even truncate it before the error.
    /// </summary>
    private static void ReadExisting(string db, string study)
    {
        var trials = StoreReads.Read(db, () =>
        {
            using var storage = StorageLocator.Open(db, readOnly: true);
            storage.GetStudies();
            if (storage.FindStudy(study) is null) return [];
            storage.GetQueue(study);
            return storage.GetTrials(study);
        });
        StoreReads.CheckAttrs(db, study, trials);
    }
}

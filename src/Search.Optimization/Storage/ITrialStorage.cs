using Search.Optimization.Trials;

namespace Search.Optimization.Storage;

/// <summary>
/// Owns all study history. Every backend must pass <c>TrialStorageContract</c> in the tests.
/// Trial numbers are claimed by <see cref="TryCreateTrial"/> (optimistic: a second writer that
/// picked the same number gets false and re-proposes), finished trials are immutable.
/// </summary>
public interface ITrialStorage : IDisposable
{
    /// <summary>Creates the study, or returns the stored record after checking it describes the same experiment.</summary>
    StudyRecord CreateOrOpenStudy(StudyRecord requested);

    StudyRecord? FindStudy(string name);

    IReadOnlyList<StudyRecord> GetStudies();

    /// <summary>
    /// Appends fixed configs in one write, skipping tags already queued (so re-running a CLI that
    /// enqueues its baselines is idempotent). Returns how many were added.
    /// </summary>
    int Enqueue(string studyName, IReadOnlyList<QueuedConfigDraft> configs);

    IReadOnlyList<QueuedConfig> GetQueue(string studyName);

    /// <summary>Inserts a Running trial; false when its number is already taken.</summary>
    bool TryCreateTrial(string studyName, FrozenTrial trial);

    /// <summary>Moves a Running trial to a new worker if it still belongs to <paramref name="expectedWorker"/>.</summary>
    bool TryReassignRunningTrial(string studyName, int number, string expectedWorker, string newWorker);

    void SetTrialUserAttr(string studyName, int number, string key, string value);

    /// <summary>Final write of a Running trial; throws if it is already finished.</summary>
    FrozenTrial FinishTrial(string studyName, int number, TrialOutcome outcome, DateTime endUtc);

    FrozenTrial GetTrial(string studyName, int number);

    /// <summary>All trials ordered by number.</summary>
    IReadOnlyList<FrozenTrial> GetTrials(string studyName);
}

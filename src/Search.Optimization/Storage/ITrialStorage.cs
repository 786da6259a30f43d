using Search.Optimization.Trials;

namespace Search.Optimization.Storage;

/// <summary>
/// Owns all study history. Every backend must pass <c>TrialStorageContract</c> in the tests.
/// Trial numbers are claimed by <see cref="TryCreateTrial"/> (optimistic: a second writer that
/// picked the same number gets false and re-proposes), finished trials are immutable.
/// <para>
/// Leases: a Running trial and a claimed <see cref="StudyTask"/> belong to one worker, which
/// beats while it works. Whether a holder is gone is decided by the caller
/// (<see cref="HeartbeatSettings.IsAbandoned"/>, one rule for every backend); the store makes the
/// takeover atomic by accepting it only while the holder and its last beat are still what the
/// caller saw. Times are passed in by the caller (its clock), never read by the store.
/// </para>
/// </summary>
public interface ITrialStorage : IDisposable
{
    /// <summary>What may be shown or logged for this store: a file path, or a URL with the password masked.</summary>
    string DisplayName { get; }

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

    /// <summary>
    /// Inserts a Running trial; false when its number is already taken, or when it consumes a
    /// queued config (<see cref="UserAttrKeys.QueueIndex"/>) another trial already consumed.
    /// </summary>
    bool TryCreateTrial(string studyName, FrozenTrial trial);

    /// <summary>
    /// Hands a Running trial to <paramref name="newWorker"/> only if it still belongs to
    /// <paramref name="expectedWorker"/> with last heartbeat <paramref name="expectedHeartbeatUtc"/>
    /// (a worker that beat since keeps its trial). In the same write: the previous worker is
    /// recorded as <see cref="UserAttrKeys.ReclaimedFrom"/> and the new worker's heartbeat starts at
    /// <paramref name="nowUtc"/>. Number, params and seed stay.
    /// </summary>
    bool TryTakeOverTrial(string studyName, int number, string expectedWorker, DateTime? expectedHeartbeatUtc, string newWorker, DateTime nowUtc);

    /// <summary>Records that <paramref name="worker"/> is still running the trial; false when the trial is no longer Running under it (finished, or taken over).</summary>
    bool RecordHeartbeat(string studyName, int number, string worker, DateTime nowUtc);

    /// <summary>
    /// Adds a user attr to a Running trial. Keys starting with <see cref="UserAttrKeys.AnnotationPrefix"/>
    /// may also be added to a finished trial, once: writing the same value again is a no-op, a different value throws.
    /// </summary>
    void SetTrialUserAttr(string studyName, int number, string key, string value);

    /// <summary>Final write of a Running trial; throws if it is already finished.</summary>
    FrozenTrial FinishTrial(string studyName, int number, TrialOutcome outcome, DateTime endUtc);

    /// <summary>Final write of a trial that must still be Running under <paramref name="worker"/>; null when another worker took it over (the result is discarded).</summary>
    FrozenTrial? TryFinishTrial(string studyName, int number, string worker, TrialOutcome outcome, DateTime endUtc);

    FrozenTrial GetTrial(string studyName, int number);

    /// <summary>All trials ordered by number.</summary>
    IReadOnlyList<FrozenTrial> GetTrials(string studyName);

    /// <summary>Null when the task was never claimed (or released).</summary>
    StudyTask? GetStudyTask(string studyName, string task);

    /// <summary>All tasks of the study ordered by name.</summary>
    IReadOnlyList<StudyTask> GetStudyTasks(string studyName);

    /// <summary>
    /// Claims a study task for <paramref name="worker"/>. With <paramref name="observed"/> null the
    /// task must be unclaimed; otherwise it must still be Running exactly as observed (same holder,
    /// same last beat): that is a takeover from a holder judged gone. Complete tasks are never claimed.
    /// </summary>
    bool TryClaimStudyTask(string studyName, string task, string worker, DateTime nowUtc, StudyTask? observed = null);

    /// <summary>Holder's heartbeat; false when <paramref name="worker"/> no longer holds the task.</summary>
    bool BeatStudyTask(string studyName, string task, string worker, DateTime nowUtc);

    /// <summary>Marks the task done; false (nothing written) when <paramref name="worker"/> no longer holds it.</summary>
    bool CompleteStudyTask(string studyName, string task, string worker, DateTime nowUtc);

    /// <summary>Gives an unfinished task back (its work failed) so a waiting worker may claim it at once; false when not held by <paramref name="worker"/>.</summary>
    bool ReleaseStudyTask(string studyName, string task, string worker);

    /// <summary>
    /// Writes a whole study (record, queue, trials in any state, tasks) as it is, in one
    /// transaction; refuses with a one-line <see cref="OptimizationInputException"/> when a study of
    /// that name exists. For <see cref="StoreMigration"/>.
    /// </summary>
    void ImportStudy(StudySnapshot snapshot);
}

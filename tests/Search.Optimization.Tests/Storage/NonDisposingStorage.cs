using Search.Optimization.Storage;
using Search.Optimization.Trials;

namespace Search.Optimization.Tests.Storage;

/// <summary>A second handle on a store whose Dispose leaves the store open (for in-memory stores, which live in one object).</summary>
internal sealed class NonDisposingStorage(ITrialStorage inner) : ITrialStorage
{
    public string DisplayName => inner.DisplayName;
    public StudyRecord CreateOrOpenStudy(StudyRecord requested) => inner.CreateOrOpenStudy(requested);
    public StudyRecord? FindStudy(string name) => inner.FindStudy(name);
    public IReadOnlyList<StudyRecord> GetStudies() => inner.GetStudies();
    public int Enqueue(string studyName, IReadOnlyList<QueuedConfigDraft> configs) => inner.Enqueue(studyName, configs);
    public IReadOnlyList<QueuedConfig> GetQueue(string studyName) => inner.GetQueue(studyName);
    public bool TryCreateTrial(string studyName, FrozenTrial trial) => inner.TryCreateTrial(studyName, trial);
    public bool TryTakeOverTrial(string studyName, int number, string expectedWorker, DateTime? expectedHeartbeatUtc, string newWorker, DateTime nowUtc) =>
        inner.TryTakeOverTrial(studyName, number, expectedWorker, expectedHeartbeatUtc, newWorker, nowUtc);
    public bool RecordHeartbeat(string studyName, int number, string worker, DateTime nowUtc) => inner.RecordHeartbeat(studyName, number, worker, nowUtc);
    public void SetTrialUserAttr(string studyName, int number, string key, string value) => inner.SetTrialUserAttr(studyName, number, key, value);
    public FrozenTrial FinishTrial(string studyName, int number, TrialOutcome outcome, DateTime endUtc) => inner.FinishTrial(studyName, number, outcome, endUtc);
    public FrozenTrial? TryFinishTrial(string studyName, int number, string worker, TrialOutcome outcome, DateTime endUtc) =>
        inner.TryFinishTrial(studyName, number, worker, outcome, endUtc);
    public FrozenTrial GetTrial(string studyName, int number) => inner.GetTrial(studyName, number);
    public IReadOnlyList<FrozenTrial> GetTrials(string studyName) => inner.GetTrials(studyName);
    public StudyTask? GetStudyTask(string studyName, string task) => inner.GetStudyTask(studyName, task);
    public IReadOnlyList<StudyTask> GetStudyTasks(string studyName) => inner.GetStudyTasks(studyName);
    public bool TryClaimStudyTask(string studyName, string task, string worker, DateTime nowUtc, StudyTask? observed = null) =>
        inner.TryClaimStudyTask(studyName, task, worker, nowUtc, observed);
    public bool BeatStudyTask(string studyName, string task, string worker, DateTime nowUtc) => inner.BeatStudyTask(studyName, task, worker, nowUtc);
    public bool CompleteStudyTask(string studyName, string task, string worker, DateTime nowUtc) => inner.CompleteStudyTask(studyName, task, worker, nowUtc);
    public bool ReleaseStudyTask(string studyName, string task, string worker) => inner.ReleaseStudyTask(studyName, task, worker);
    public void ImportStudy(StudySnapshot snapshot) => inner.ImportStudy(snapshot);
    public void Dispose() { }
}

using Search.Optimization.Storage;

namespace Search.Optimization.Tests.Storage;

public sealed class InMemoryStorageContractTests : TrialStorageContract
{
    protected override ITrialStorage CreateFresh() => new InMemoryStorage();

    /// <summary>In memory, "reopening" is holding on to the same object.</summary>
    protected override ITrialStorage Reopen(ITrialStorage previous) => new NonDisposingStorage(previous);

    private sealed class NonDisposingStorage(ITrialStorage inner) : ITrialStorage
    {
        public StudyRecord CreateOrOpenStudy(StudyRecord requested) => inner.CreateOrOpenStudy(requested);
        public StudyRecord? FindStudy(string name) => inner.FindStudy(name);
        public IReadOnlyList<StudyRecord> GetStudies() => inner.GetStudies();
        public int Enqueue(string studyName, IReadOnlyList<QueuedConfigDraft> configs) => inner.Enqueue(studyName, configs);
        public IReadOnlyList<QueuedConfig> GetQueue(string studyName) => inner.GetQueue(studyName);
        public bool TryCreateTrial(string studyName, Trials.FrozenTrial trial) => inner.TryCreateTrial(studyName, trial);
        public bool TryReassignRunningTrial(string studyName, int number, string expectedWorker, string newWorker) =>
            inner.TryReassignRunningTrial(studyName, number, expectedWorker, newWorker);
        public void SetTrialUserAttr(string studyName, int number, string key, string value) => inner.SetTrialUserAttr(studyName, number, key, value);
        public Trials.FrozenTrial FinishTrial(string studyName, int number, Trials.TrialOutcome outcome, DateTime endUtc) =>
            inner.FinishTrial(studyName, number, outcome, endUtc);
        public Trials.FrozenTrial GetTrial(string studyName, int number) => inner.GetTrial(studyName, number);
        public IReadOnlyList<Trials.FrozenTrial> GetTrials(string studyName) => inner.GetTrials(studyName);
        public void Dispose() { }
    }
}

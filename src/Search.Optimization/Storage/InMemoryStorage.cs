using Search.Optimization.Trials;

namespace Search.Optimization.Storage;

/// <summary>Process-local storage for tests and throw-away runs; one lock makes every call atomic.</summary>
public sealed class InMemoryStorage : ITrialStorage
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, StudyData> _studies = new(StringComparer.Ordinal);

    private sealed class StudyData(StudyRecord record)
    {
        public StudyRecord Record { get; } = record;
        public List<QueuedConfig> Queue { get; } = [];
        public SortedDictionary<int, FrozenTrial> Trials { get; } = [];
    }

    public StudyRecord CreateOrOpenStudy(StudyRecord requested)
    {
        lock (_lock)
        {
            if (_studies.TryGetValue(requested.Name, out var existing))
            {
                existing.Record.EnsureCompatibleWith(requested);
                return existing.Record;
            }
            _studies.Add(requested.Name, new StudyData(requested));
            return requested;
        }
    }

    public StudyRecord? FindStudy(string name)
    {
        lock (_lock) return _studies.TryGetValue(name, out var data) ? data.Record : null;
    }

    public IReadOnlyList<StudyRecord> GetStudies()
    {
        lock (_lock) return _studies.Values.Select(s => s.Record).OrderBy(r => r.Name, StringComparer.Ordinal).ToArray();
    }

    public int Enqueue(string studyName, IReadOnlyList<QueuedConfigDraft> configs)
    {
        lock (_lock)
        {
            var study = Study(studyName);
            var added = 0;
            foreach (var config in configs)
            {
                if (study.Queue.Any(q => q.Tag == config.Tag)) continue;
                study.Queue.Add(new QueuedConfig(study.Queue.Count, config.Tag, ParamSet.Freeze(config.Params)));
                added++;
            }
            return added;
        }
    }

    public IReadOnlyList<QueuedConfig> GetQueue(string studyName)
    {
        lock (_lock) return Study(studyName).Queue.ToArray();
    }

    public bool TryCreateTrial(string studyName, FrozenTrial trial)
    {
        if (trial.State != TrialState.Running) throw new ArgumentException("new trials start Running", nameof(trial));
        lock (_lock) return Study(studyName).Trials.TryAdd(trial.Number, trial);
    }

    public bool TryReassignRunningTrial(string studyName, int number, string expectedWorker, string newWorker)
    {
        lock (_lock)
        {
            var trials = Study(studyName).Trials;
            var trial = Get(studyName, number);
            if (trial.State != TrialState.Running || trial.Worker != expectedWorker) return false;
            trials[number] = trial with { Worker = newWorker };
            return true;
        }
    }

    public void SetTrialUserAttr(string studyName, int number, string key, string value)
    {
        lock (_lock) Study(studyName).Trials[number] = TrialTransitions.WithUserAttr(Get(studyName, number), key, value, studyName);
    }

    public FrozenTrial FinishTrial(string studyName, int number, TrialOutcome outcome, DateTime endUtc)
    {
        lock (_lock)
        {
            var finished = TrialTransitions.Finish(Get(studyName, number), outcome, endUtc, studyName);
            Study(studyName).Trials[number] = finished;
            return finished;
        }
    }

    public FrozenTrial GetTrial(string studyName, int number)
    {
        lock (_lock) return Get(studyName, number);
    }

    public IReadOnlyList<FrozenTrial> GetTrials(string studyName)
    {
        lock (_lock) return Study(studyName).Trials.Values.ToArray();
    }

    public void Dispose() { }

    private StudyData Study(string name) =>
        _studies.TryGetValue(name, out var data) ? data : throw TrialTransitions.MissingStudy(name);

    private FrozenTrial Get(string studyName, int number) =>
        Study(studyName).Trials.TryGetValue(number, out var trial) ? trial : throw TrialTransitions.MissingTrial(studyName, number);
}

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
        public SortedDictionary<string, StudyTask> Tasks { get; } = new(StringComparer.Ordinal);
    }

    public string DisplayName => "in-memory store";

    public override string ToString() => DisplayName;

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
        lock (_lock)
        {
            var trials = Study(studyName).Trials;
            if (TrialTransitions.QueueIndex(trial) is { } index && trials.Values.Any(t => TrialTransitions.QueueIndex(t) == index)) return false;
            return trials.TryAdd(trial.Number, trial);
        }
    }

    public bool TryTakeOverTrial(string studyName, int number, string expectedWorker, DateTime? expectedHeartbeatUtc, string newWorker, DateTime nowUtc)
    {
        lock (_lock)
        {
            var taken = TrialTransitions.TakeOver(Get(studyName, number), expectedWorker, expectedHeartbeatUtc, newWorker, nowUtc);
            if (taken is null) return false;
            Study(studyName).Trials[number] = taken;
            return true;
        }
    }

    public bool RecordHeartbeat(string studyName, int number, string worker, DateTime nowUtc)
    {
        lock (_lock)
        {
            var trial = Get(studyName, number);
            if (!TrialTransitions.IsHeldBy(trial, worker)) return false;
            Study(studyName).Trials[number] = trial with { HeartbeatUtc = nowUtc };
            return true;
        }
    }

    public void SetTrialUserAttr(string studyName, int number, string key, string value)
    {
        lock (_lock)
        {
            if (TrialTransitions.WithUserAttr(Get(studyName, number), key, value, studyName) is { } changed)
                Study(studyName).Trials[number] = changed;
        }
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

    public FrozenTrial? TryFinishTrial(string studyName, int number, string worker, TrialOutcome outcome, DateTime endUtc)
    {
        lock (_lock)
        {
            var trial = Get(studyName, number);
            if (!TrialTransitions.IsHeldBy(trial, worker)) return null;
            var finished = TrialTransitions.Finish(trial, outcome, endUtc, studyName);
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

    public StudyTask? GetStudyTask(string studyName, string task)
    {
        lock (_lock) return _studies.TryGetValue(studyName, out var data) ? data.Tasks.GetValueOrDefault(task) : null;
    }

    public IReadOnlyList<StudyTask> GetStudyTasks(string studyName)
    {
        lock (_lock) return Study(studyName).Tasks.Values.ToArray();
    }

    public bool TryClaimStudyTask(string studyName, string task, string worker, DateTime nowUtc, StudyTask? observed = null)
    {
        lock (_lock)
        {
            var tasks = Study(studyName).Tasks;
            if (!StudyTaskTransitions.CanClaim(tasks.GetValueOrDefault(task), observed)) return false;
            tasks[task] = StudyTaskTransitions.Claimed(task, worker, nowUtc);
            return true;
        }
    }

    public bool BeatStudyTask(string studyName, string task, string worker, DateTime nowUtc) =>
        UpdateHeldTask(studyName, task, worker, t => t with { HeartbeatUtc = nowUtc });

    public bool CompleteStudyTask(string studyName, string task, string worker, DateTime nowUtc) =>
        UpdateHeldTask(studyName, task, worker, t => t with { State = StudyTaskState.Complete, HeartbeatUtc = nowUtc, CompletedUtc = nowUtc });

    public bool ReleaseStudyTask(string studyName, string task, string worker)
    {
        lock (_lock)
        {
            var tasks = Study(studyName).Tasks;
            return StudyTaskTransitions.IsHeldBy(tasks.GetValueOrDefault(task), worker) && tasks.Remove(task);
        }
    }

    public void ImportStudy(StudySnapshot snapshot)
    {
        lock (_lock)
        {
            if (_studies.ContainsKey(snapshot.Record.Name)) throw TrialTransitions.StudyExists(snapshot.Record.Name, DisplayName);
            var data = new StudyData(snapshot.Record);
            data.Queue.AddRange(snapshot.Queue);
            foreach (var trial in snapshot.Trials) data.Trials.Add(trial.Number, trial);
            foreach (var task in snapshot.Tasks) data.Tasks.Add(task.Name, task);
            _studies.Add(snapshot.Record.Name, data);
        }
    }

    public void Dispose() { }

    private bool UpdateHeldTask(string studyName, string task, string worker, Func<StudyTask, StudyTask> change)
    {
        lock (_lock)
        {
            var tasks = Study(studyName).Tasks;
            var current = tasks.GetValueOrDefault(task);
            if (!StudyTaskTransitions.IsHeldBy(current, worker)) return false;
            tasks[task] = change(current!);
            return true;
        }
    }

    private StudyData Study(string name) =>
        _studies.TryGetValue(name, out var data) ? data : throw TrialTransitions.MissingStudy(name);

    private FrozenTrial Get(string studyName, int number) =>
        Study(studyName).Trials.TryGetValue(number, out var trial) ? trial : throw TrialTransitions.MissingTrial(studyName, number);
}

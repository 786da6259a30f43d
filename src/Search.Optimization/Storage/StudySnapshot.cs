using Search.Optimization.Trials;

namespace Search.Optimization.Storage;

/// <summary>Everything a store holds about one study; what <see cref="StoreMigration"/> moves between stores.</summary>
public sealed record StudySnapshot(
    StudyRecord Record,
    IReadOnlyList<QueuedConfig> Queue,
    IReadOnlyList<FrozenTrial> Trials,
    IReadOnlyList<StudyTask> Tasks)
{
    /// <summary>Reads the study through the public contract (several reads: copy a study no worker is writing).</summary>
    public static StudySnapshot Read(ITrialStorage storage, string studyName)
    {
        var record = storage.FindStudy(studyName) ?? throw TrialTransitions.MissingStudy(studyName);
        return new StudySnapshot(record, storage.GetQueue(studyName), storage.GetTrials(studyName), storage.GetStudyTasks(studyName));
    }
}

namespace Search.Optimization.Storage;

/// <summary>What one study's copy carried.</summary>
/// <param name="RunningTrials">Trials copied while Running: another worker's (or a dead one's); in the target they are
/// taken over once their heartbeat is older than the grace, like any silent worker's.</param>
public sealed record MigratedStudy(string Name, int Trials, int QueuedConfigs, int Tasks, int RunningTrials);

/// <summary>
/// Moves studies between any two stores (LiteDB ⇄ PostgreSQL, or file to file) losslessly: the
/// study record, its queue, every trial as it is (state, params, value, scores, user attrs,
/// timestamps, worker, heartbeat, seed, schema version) and its study tasks. Each study is
/// written in one transaction; a study already present in the target is refused before anything
/// is written. Copy a study no worker is running: the source is read with several queries.
/// </summary>
public static class StoreMigration
{
    /// <param name="studyName">One study, or null for every study in <paramref name="from"/>.</param>
    public static IReadOnlyList<MigratedStudy> Copy(ITrialStorage from, ITrialStorage to, string? studyName = null)
    {
        var names = studyName is null ? from.GetStudies().Select(s => s.Name).ToList() : [studyName];
        if (studyName is not null && from.FindStudy(studyName) is null)
            throw new OptimizationInputException(
                $"no study named '{studyName}' in {from.DisplayName} (studies: {string.Join(", ", from.GetStudies().Select(s => s.Name).DefaultIfEmpty("none"))})");
        if (names.FirstOrDefault(name => to.FindStudy(name) is not null) is { } clash)
            throw TrialTransitions.StudyExists(clash, to.DisplayName);

        var copied = new List<MigratedStudy>();
        foreach (var name in names)
        {
            var snapshot = StudySnapshot.Read(from, name);
            to.ImportStudy(snapshot);
            copied.Add(new MigratedStudy(name, snapshot.Trials.Count, snapshot.Queue.Count, snapshot.Tasks.Count,
                snapshot.Trials.Count(t => t.State == Trials.TrialState.Running)));
        }
        return copied;
    }
}

namespace Search.Optimization.Trials;

/// <summary>
/// A worker told a result for a trial that another worker had taken over after this one's
/// heartbeat stayed silent past the grace period (a long pause, a network cut). The other worker's
/// run is the one stored; this result is discarded.
/// </summary>
public sealed class TrialTakenOverException(string studyName, int number, string currentWorker)
    : InvalidOperationException($"trial {number} of study '{studyName}' was taken over by worker {currentWorker} after this worker's heartbeat went silent; this result was discarded")
{
    public int Number { get; } = number;
}

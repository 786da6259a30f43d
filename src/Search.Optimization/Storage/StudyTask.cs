namespace Search.Optimization.Storage;

/// <summary>
/// A study-level job that must run exactly once however many workers share the study (e.g.
/// "finalize": re-score finalists, measure the seed spread). One worker claims it through the
/// store and beats while it works; the others wait, and take it over if the beats stop.
/// </summary>
/// <param name="Worker">Current (or last) holder.</param>
/// <param name="HeartbeatUtc">Holder's last beat; a takeover must name the beat it saw, so a holder that beat in between keeps the task.</param>
public sealed record StudyTask(
    string Name,
    StudyTaskState State,
    string Worker,
    DateTime ClaimedUtc,
    DateTime HeartbeatUtc,
    DateTime? CompletedUtc);

public enum StudyTaskState
{
    Running,
    Complete,
}

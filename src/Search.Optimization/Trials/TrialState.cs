namespace Search.Optimization.Trials;

/// <summary>Life cycle of a trial. Only <see cref="Running"/> may change; the others are final.</summary>
public enum TrialState
{
    Running,
    Complete,
    Pruned,
    Failed,
}

public static class TrialStateExtensions
{
    public static bool IsFinished(this TrialState state) => state != TrialState.Running;
}

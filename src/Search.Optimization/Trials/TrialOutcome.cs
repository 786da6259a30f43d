namespace Search.Optimization.Trials;

/// <summary>What an objective reports back for a trial; <see cref="Study.Tell"/> maps it to a final state.</summary>
public sealed record TrialOutcome
{
    private TrialOutcome(TrialState state, double? value, string? error, IReadOnlyList<TrialScore> scores)
    {
        State = state;
        Value = value;
        Error = error;
        Scores = scores;
    }

    public TrialState State { get; }
    public double? Value { get; }
    public string? Error { get; }
    public IReadOnlyList<TrialScore> Scores { get; }

    public static TrialOutcome Completed(double value, IReadOnlyList<TrialScore>? scores = null) =>
        new(TrialState.Complete, value, null, scores ?? []);

    public static TrialOutcome Failed(string reason, IReadOnlyList<TrialScore>? scores = null) =>
        new(TrialState.Failed, null, reason, scores ?? []);

    /// <summary>Stopped early by a multi-fidelity rule; the last intermediate value is kept if there is one.</summary>
    public static TrialOutcome Pruned(double? lastValue = null, IReadOnlyList<TrialScore>? scores = null) =>
        new(TrialState.Pruned, lastValue, null, scores ?? []);
}

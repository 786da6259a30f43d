using Search.Optimization.Trials;

namespace Search.Optimization.Storage;

/// <summary>State-change rules shared by every backend, so they cannot drift apart.</summary>
internal static class TrialTransitions
{
    public static FrozenTrial Finish(FrozenTrial running, TrialOutcome outcome, DateTime endUtc, string studyName)
    {
        EnsureRunning(running, studyName);
        if (outcome.State == TrialState.Running)
            throw new ArgumentException("a trial cannot be finished as Running", nameof(outcome));
        return running with
        {
            State = outcome.State,
            Value = outcome.Value,
            Scores = outcome.Scores.ToArray(),
            Error = outcome.Error,
            EndUtc = endUtc,
        };
    }

    public static FrozenTrial WithUserAttr(FrozenTrial running, string key, string value, string studyName)
    {
        // Annotations (keys starting "post.") may be added after a trial finished — e.g. its
        // test-split score as a finalist — but never change its params, state or value.
        if (!key.StartsWith(UserAttrKeys.AnnotationPrefix, StringComparison.Ordinal)) EnsureRunning(running, studyName);
        else if (running.UserAttrs.ContainsKey(key) && running.State.IsFinished())
            throw new InvalidOperationException($"trial {running.Number} of study '{studyName}' already has annotation '{key}'");
        var attrs = new Dictionary<string, string>(running.UserAttrs, StringComparer.Ordinal) { [key] = value };
        return running with { UserAttrs = attrs };
    }

    public static void EnsureRunning(FrozenTrial trial, string studyName)
    {
        if (trial.State.IsFinished())
            throw new InvalidOperationException($"trial {trial.Number} of study '{studyName}' is {trial.State}; finished trials are immutable");
    }

    public static KeyNotFoundException MissingStudy(string studyName) => new($"no study named '{studyName}'");

    public static KeyNotFoundException MissingTrial(string studyName, int number) => new($"study '{studyName}' has no trial {number}");
}

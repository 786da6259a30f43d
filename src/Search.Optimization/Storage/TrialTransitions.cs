using System.Globalization;
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

    /// <summary>Null when the attr is already there with this value (an idempotent annotation: nothing to write).</summary>
    public static FrozenTrial? WithUserAttr(FrozenTrial trial, string key, string value, string studyName)
    {
        // Annotations (keys starting "post.") may be added after a trial finished — e.g. its
        // test-split score as a finalist — but never change its params, state or value. Several
        // workers may finish a study; the same annotation written twice is not an error.
        if (!key.StartsWith(UserAttrKeys.AnnotationPrefix, StringComparison.Ordinal)) EnsureRunning(trial, studyName);
        else if (trial.State.IsFinished() && trial.UserAttrs.TryGetValue(key, out var existing))
        {
            if (existing == value) return null;
            throw new InvalidOperationException($"trial {trial.Number} of study '{studyName}' already has a different annotation '{key}'");
        }
        var attrs = new Dictionary<string, string>(trial.UserAttrs, StringComparer.Ordinal) { [key] = value };
        return trial with { UserAttrs = attrs };
    }

    public static bool IsHeldBy(FrozenTrial trial, string worker) => trial.State == TrialState.Running && trial.Worker == worker;

    /// <summary>The takeover of <see cref="ITrialStorage.TryTakeOverTrial"/>; null when the trial is no longer as the caller saw it.</summary>
    public static FrozenTrial? TakeOver(FrozenTrial trial, string expectedWorker, DateTime? expectedHeartbeatUtc, string newWorker, DateTime nowUtc)
    {
        if (!IsHeldBy(trial, expectedWorker) || trial.HeartbeatUtc != expectedHeartbeatUtc) return null;
        var attrs = new Dictionary<string, string>(trial.UserAttrs, StringComparer.Ordinal) { [UserAttrKeys.ReclaimedFrom] = expectedWorker };
        return trial with { Worker = newWorker, HeartbeatUtc = nowUtc, UserAttrs = attrs };
    }

    /// <summary>Queue entry a trial consumes, if it evaluates an enqueued config.</summary>
    public static int? QueueIndex(FrozenTrial trial) =>
        int.TryParse(trial.UserAttr(UserAttrKeys.QueueIndex), NumberStyles.Integer, CultureInfo.InvariantCulture, out var index) ? index : null;

    public static void EnsureRunning(FrozenTrial trial, string studyName)
    {
        if (trial.State.IsFinished())
            throw new InvalidOperationException($"trial {trial.Number} of study '{studyName}' is {trial.State}; finished trials are immutable");
    }

    public static KeyNotFoundException MissingStudy(string studyName) => new($"no study named '{studyName}'");

    public static KeyNotFoundException MissingTrial(string studyName, int number) => new($"study '{studyName}' has no trial {number}");

    public static OptimizationInputException StudyExists(string studyName, string store) =>
        new($"study '{studyName}' already exists in {store}; remove it there or choose another store (nothing was written)");
}

/// <summary>Rules of <see cref="StudyTask"/> claims, shared by every backend.</summary>
internal static class StudyTaskTransitions
{
    public static bool CanClaim(StudyTask? current, StudyTask? observed) =>
        current is null ? observed is null
        : observed is not null && current.State == StudyTaskState.Running
          && current.Worker == observed.Worker && current.HeartbeatUtc == observed.HeartbeatUtc;

    public static StudyTask Claimed(string task, string worker, DateTime nowUtc) =>
        new(task, StudyTaskState.Running, worker, nowUtc, nowUtc, null);

    public static bool IsHeldBy(StudyTask? task, string worker) => task is { State: StudyTaskState.Running } && task.Worker == worker;
}

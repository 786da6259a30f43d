using Search.Optimization.Storage;

namespace Search.Optimization;

/// <summary>Study-level work done once however many workers share the study.</summary>
public sealed partial class Study
{
    /// <summary>Name of the study task that finalizes a study (finalist re-scoring, seed spread).</summary>
    public const string FinalizeTask = "finalize";

    /// <summary>
    /// Runs <paramref name="work"/> once for the whole study: the first worker to claim
    /// <paramref name="task"/> through the store runs it while beating; every other worker waits
    /// (polling) and returns when the task is complete. If the holder goes silent past the grace
    /// (or its process on this host died), a waiting worker takes the task over and runs
    /// <paramref name="work"/> again, so the work must resume what a previous holder left (skip
    /// what is already annotated; annotations are idempotent).
    /// <para>
    /// The token passed to <paramref name="work"/> is cancelled if another worker takes the task
    /// over while it runs; this worker then goes back to waiting. If <paramref name="work"/>
    /// throws, the claim is released (another worker may try at once) and the exception propagates.
    /// </para>
    /// </summary>
    /// <returns>True when this worker completed the task, false when another one did.</returns>
    public bool RunOnce(string task, Action<CancellationToken> work, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var now = Now;
            var current = _storage.GetStudyTask(Name, task);
            if (current is { State: StudyTaskState.Complete }) return false;
            var claimed = current is null
                ? _storage.TryClaimStudyTask(Name, task, _worker, now)
                : _heartbeat.IsAbandoned(current.Worker, current.HeartbeatUtc, now) && _storage.TryClaimStudyTask(Name, task, _worker, now, current);
            if (!claimed)
            {
                Pause(cancellationToken);
                continue;
            }
            if (RunClaimed(task, work, cancellationToken)) return true;
        }
    }

    /// <summary>False when the task was lost to another worker (while working, or just before completing).</summary>
    private bool RunClaimed(string task, Action<CancellationToken> work, CancellationToken cancellationToken)
    {
        using (var beat = Heartbeat.Start(_heartbeat.Interval, () => _storage.BeatStudyTask(Name, task, _worker, Now)))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, beat.LostToken))
        {
            try
            {
                work(linked.Token);
            }
            catch (OperationCanceledException) when (beat.IsLost && !cancellationToken.IsCancellationRequested)
            {
                return false;
            }
            catch
            {
                _storage.ReleaseStudyTask(Name, task, _worker);
                throw;
            }
        }
        return _storage.CompleteStudyTask(Name, task, _worker, Now);
    }
}

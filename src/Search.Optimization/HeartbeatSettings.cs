using Search.Optimization.Trials;

namespace Search.Optimization;

/// <summary>
/// How workers of one study tell each other they are alive. A worker beats every
/// <see cref="Interval"/> while it runs a trial or a study task; a holder silent for longer than
/// <see cref="Grace"/> is judged gone and its trial (same number, same params) or task is taken
/// over. A worker with nothing to do but others still running polls every <see cref="PollInterval"/>.
/// </summary>
/// <param name="Interval">Wall time between beats.</param>
/// <param name="Grace">Silence after which a holder is gone. Workers compare their own clock with the beats
/// other workers stored, so machines' clocks must agree to well within this (NTP).</param>
/// <param name="PollInterval">Wall time between checks while waiting for other workers.</param>
public sealed record HeartbeatSettings(TimeSpan Interval, TimeSpan Grace, TimeSpan PollInterval)
{
    public static HeartbeatSettings Default { get; } = new(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(2));

    /// <summary>One-line error unless the interval and poll are positive and grace allows two missed beats.</summary>
    public HeartbeatSettings Validate()
    {
        if (Interval <= TimeSpan.Zero) throw new OptimizationInputException($"heartbeat interval must be positive, got {Interval.TotalSeconds} s");
        if (PollInterval <= TimeSpan.Zero) throw new OptimizationInputException($"poll interval must be positive, got {PollInterval.TotalSeconds} s");
        if (Grace < 2 * Interval)
            throw new OptimizationInputException(
                $"heartbeat grace ({Grace.TotalSeconds} s) must be at least twice the interval ({Interval.TotalSeconds} s), or one late beat would hand a live trial to another worker");
        return this;
    }

    /// <summary>
    /// The one rule for "this holder is gone", the same for every store: a process on this host
    /// that is certainly dead is gone at once (no need to wait out the grace after a local crash);
    /// any holder whose last sign of life is older than the grace is gone.
    /// </summary>
    public bool IsAbandoned(string worker, DateTime lastSignOfLifeUtc, DateTime nowUtc) =>
        nowUtc - lastSignOfLifeUtc > Grace
        || (WorkerIdentity.TryParse(worker) is { } owner && owner.IsCertainlyDead());
}

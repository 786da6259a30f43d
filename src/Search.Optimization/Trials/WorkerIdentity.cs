using System.Diagnostics;
using System.Globalization;

namespace Search.Optimization.Trials;

/// <summary>
/// Who runs a trial: host, process id and that process's start time (pid alone is reused by the
/// OS). A Running trial whose worker is on this host and no longer alive was left by a crash and
/// may be re-run; a trial from another host is never judged stale (we cannot see its processes).
/// </summary>
public sealed record WorkerIdentity(string Host, int ProcessId, long ProcessStartTicks)
{
    /// <summary>
    /// .NET derives a process's start time from the boot time each process estimates for itself, so
    /// two processes may read the same start time a few microseconds apart; a reused pid starting
    /// within the same second is far less likely than that jitter.
    /// </summary>
    private static readonly TimeSpan StartTimeTolerance = TimeSpan.FromSeconds(1);

    public static WorkerIdentity Current { get; } = FromProcess(Process.GetCurrentProcess());

    public static WorkerIdentity FromProcess(Process process) =>
        new(Environment.MachineName, process.Id, process.StartTime.ToUniversalTime().Ticks);

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Host}:{ProcessId}:{ProcessStartTicks}");

    public static WorkerIdentity? TryParse(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 3
            || !int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid)
            || !long.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ticks))
            return null;
        return new WorkerIdentity(parts[0], pid, ticks);
    }

    /// <summary>True only when we can see that the process is gone (same host, pid absent or reused).</summary>
    public bool IsCertainlyDead()
    {
        if (Host != Environment.MachineName) return false;
        try
        {
            using var process = Process.GetProcessById(ProcessId);
            return Math.Abs(process.StartTime.ToUniversalTime().Ticks - ProcessStartTicks) > StartTimeTolerance.Ticks;
        }
        catch (ArgumentException)
        {
            return true; // GetProcessById reports "no such process" only by throwing.
        }
        catch (InvalidOperationException)
        {
            return true; // exited between lookup and StartTime
        }
    }
}

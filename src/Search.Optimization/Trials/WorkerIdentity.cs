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
            return process.StartTime.ToUniversalTime().Ticks != ProcessStartTicks;
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

using System.Diagnostics;
using System.Globalization;

namespace Search.Optimization.Trials;

/// <summary>
/// Who runs a trial: host, process id and that process's start time (pid alone is reused by the
/// OS). A Running trial whose worker is on this host and no longer alive was left by a crash and
/// may be re-run at once; a trial from another host is judged only by its heartbeat (we cannot
/// see its processes).
/// <para>
/// "This host" must mean "where this pid would be visible": cloned machines and containers often
/// share a machine name, and a container has its own pid namespace, so a worker in another one
/// would look dead. On Linux the host part is therefore the machine name plus a short hash of the
/// boot id and the pid namespace (e.g. <c>node7/3f9a02c1</c>).
/// </para>
/// </summary>
public sealed record WorkerIdentity(string Host, int ProcessId, long ProcessStartTicks)
{
    /// <summary>
    /// .NET derives a process's start time from the boot time each process estimates for itself, so
    /// two processes may read the same start time a few microseconds apart; a reused pid starting
    /// within the same second is far less likely than that jitter.
    /// </summary>
    private static readonly TimeSpan StartTimeTolerance = TimeSpan.FromSeconds(1);

    /// <summary>The host part of identities of processes on this machine, in this pid namespace (declared before <see cref="Current"/>, which uses it).</summary>
    public static string ThisHost { get; } = Environment.MachineName + (PidScope() is { } scope ? "/" + scope : "");

    public static WorkerIdentity Current { get; } = FromProcess(Process.GetCurrentProcess());

    public static WorkerIdentity FromProcess(Process process) =>
        new(ThisHost, process.Id, process.StartTime.ToUniversalTime().Ticks);

    /// <summary>8 hex digits naming (boot, pid namespace); null where /proc does not tell (not Linux).</summary>
    private static string? PidScope()
    {
        try
        {
            var boot = File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
            var pidNamespace = new FileInfo("/proc/self/ns/pid").LinkTarget ?? "";
            var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(boot + "|" + pidNamespace));
            return Convert.ToHexStringLower(hash, 0, 4);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

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
        if (Host != ThisHost) return false;
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

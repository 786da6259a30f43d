using System.Collections.Concurrent;
using System.Diagnostics;

namespace Search.Stress;

/// <summary>One line a child printed, with when (since the child started).</summary>
public sealed record TimedLine(TimeSpan At, string Text);

/// <summary>
/// A running <c>prunesearch</c> child: its stdout lines arrive with timestamps (read on a background
/// thread, so the pipe never fills), stderr is collected, and <see cref="KillHard"/> is SIGKILL —
/// no finally blocks, no flush, exactly like <c>kill -9</c>.
/// </summary>
public sealed class CliProcess : IDisposable
{
    private readonly Process process;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly BlockingCollection<TimedLine> lines = new();
    private readonly List<TimedLine> seen = [];
    private readonly Task<string> stderr;
    private readonly Thread reader;

    private CliProcess(Process process)
    {
        this.process = process;
        stderr = process.StandardError.ReadToEndAsync();
        reader = new Thread(() =>
        {
            while (process.StandardOutput.ReadLine() is { } line) lines.Add(new TimedLine(clock.Elapsed, line));
            lines.CompleteAdding();
        }) { IsBackground = true };
        reader.Start();
    }

    public static CliProcess Start(string cli, string workDir, string cacheRoot, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(cli);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["PRUNESEARCH_CACHE_DIR"] = cacheRoot;
        return new CliProcess(Process.Start(psi)!);
    }

    public int Id => process.Id;

    /// <summary>Every stdout line so far, in order.</summary>
    public IReadOnlyList<TimedLine> Seen => seen;

    public TimeSpan Elapsed => clock.Elapsed;

    /// <summary>The next stdout line, or null when the child closed stdout or <paramref name="timeout"/> passed.</summary>
    public TimedLine? Next(TimeSpan timeout)
    {
        if (!lines.TryTake(out var line, timeout)) return null;
        seen.Add(line);
        return line;
    }

    /// <summary>Lines that arrived since the last <see cref="Next"/> (without waiting).</summary>
    public List<TimedLine> Drain()
    {
        var more = new List<TimedLine>();
        while (lines.TryTake(out var line)) { seen.Add(line); more.Add(line); }
        return more;
    }

    public bool HasExited => process.HasExited;

    /// <summary>SIGKILL now (on Linux <see cref="Process.Kill()"/> sends SIGKILL); waits until the child and its stdout are gone.</summary>
    public void KillHard()
    {
        try { process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { /* already exited */ }
        process.WaitForExit();
        reader.Join(); // stdout is closed now; the reader finishes its last lines
    }

    /// <summary>Waits for a normal exit; returns the exit code and stderr.</summary>
    public (int Exit, string Error) Wait()
    {
        process.WaitForExit();
        reader.Join();
        Drain();
        return (process.ExitCode, stderr.Result);
    }

    public void Dispose()
    {
        KillHard();
        process.Dispose();
        lines.Dispose();
    }

    /// <summary>
    /// prunesearch.dll of the same configuration as this program (Debug/Release), found from the
    /// repository root; <paramref name="explicitPath"/> wins when given.
    /// </summary>
    public static string Locate(string? explicitPath)
    {
        if (explicitPath is not null)
            return File.Exists(explicitPath) ? Path.GetFullPath(explicitPath) : throw new StressException($"--cli {explicitPath}: not found");
        var bin = new DirectoryInfo(AppContext.BaseDirectory);               // experiments/stress/Search.Stress/bin/CFG/net10.0/linux-x64
        string configuration = bin.Parent!.Parent!.Name;
        string tfmRid = Path.Combine(bin.Parent!.Name, bin.Name);
        string dll = Path.Combine(RepoRoot, "src", "Search.Cli", "bin", configuration, tfmRid, "prunesearch.dll");
        return File.Exists(dll) ? dll : throw new StressException($"{dll} not found: build the CLI first (dotnet build Search.sln -c {configuration})");
    }

    public static string RepoRoot
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Search.sln"))) return d.FullName;
            throw new StressException("Search.sln not found above the stress kit's binaries");
        }
    }
}

/// <summary>A problem with how the kit was called or set up: one line, exit 2.</summary>
public sealed class StressException(string message) : Exception(message);

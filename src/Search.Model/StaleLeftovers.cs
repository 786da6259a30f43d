using System.Collections.Concurrent;
using System.Diagnostics;

namespace Search.Model;

/// <summary>
/// What killed runs leave in the cache: <c>*.tmp</c> files of interrupted cache writes
/// (<c>NAME.PID.GUID.tmp</c>, <c>NAME.PID.tmp</c>) in <c>stats/</c>, <c>tokens/</c>, <c>hashes/</c>, and
/// <c>.building-NAME-PID-GUID</c> folders of interrupted model builds (the embedded model in the cache
/// root, zoo models in <c>zoo/</c>). Nothing ever renames them into place, so they are swept when the cache is next used.
/// <para>
/// The rule: a leftover is stale when the process named in it is gone and nothing in it changed for
/// <see cref="OwnerGoneAge"/>, or when nothing in it changed for <see cref="AnyOwnerAge"/>.
/// The owner's process id decides first because a dead writer can never finish; the short age guard
/// keeps a live writer whose pid we cannot see (another container sharing this cache, in another
/// PID namespace) from losing its file mid-write. The long age alone covers a recycled pid: every
/// writer here touches its file continuously (a cache write streams; a model build creates its folder
/// only once training is done, then writes and scores it within minutes), so an hour without a change
/// means nobody is writing.
/// </para>
/// </summary>
public static class StaleLeftovers
{
    public static readonly TimeSpan OwnerGoneAge = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan AnyOwnerAge = TimeSpan.FromHours(1);

    public const string BuildFolderPrefix = ".building-";
    private const string TemporarySuffix = ".tmp";

    private static readonly ConcurrentDictionary<string, bool> Swept = new();

    /// <summary><see cref="SweepTemporaries"/> once per process and folder (a cache is opened many times per run).</summary>
    public static void SweepTemporariesOnce(string directory)
    {
        if (Swept.TryAdd("tmp:" + Path.GetFullPath(directory), true)) SweepTemporaries(directory, DateTime.UtcNow);
    }

    /// <summary><see cref="SweepBuildFolders"/> once per process and cache root.</summary>
    public static void SweepBuildFoldersOnce(string cacheRoot)
    {
        if (Swept.TryAdd("build:" + Path.GetFullPath(cacheRoot), true)) SweepBuildFolders(cacheRoot, DateTime.UtcNow);
    }

    /// <summary>Deletes the stale <c>*.tmp</c> files directly in <paramref name="directory"/>; returns how many.</summary>
    public static int SweepTemporaries(string directory, DateTime nowUtc)
    {
        int removed = 0;
        foreach (var file in List(() => Directory.GetFiles(directory, "*" + TemporarySuffix)))
            if (IsStale(OwnerOfTemporary(Path.GetFileName(file)), File.GetLastWriteTimeUtc(file), nowUtc)
                && BestEffort(() => File.Delete(file)))
                removed++;
        return removed;
    }

    /// <summary>Deletes the stale <c>.building-*</c> folders directly in <paramref name="cacheRoot"/>; returns how many.</summary>
    public static int SweepBuildFolders(string cacheRoot, DateTime nowUtc)
    {
        int removed = 0;
        foreach (var dir in List(() => Directory.GetDirectories(cacheRoot, BuildFolderPrefix + "*")))
            if (IsStale(OwnerOfBuildFolder(Path.GetFileName(dir)), LastTouchedUtc(dir), nowUtc)
                && BestEffort(() => Directory.Delete(dir, recursive: true)))
                removed++;
        return removed;
    }

    public static bool IsStale(int? ownerPid, DateTime lastTouchedUtc, DateTime nowUtc)
    {
        var age = nowUtc - lastTouchedUtc;
        if (age >= AnyOwnerAge) return true;
        return age >= OwnerGoneAge && ownerPid is int pid && !IsRunning(pid);
    }

    /// <summary>The pid in <c>NAME.PID.GUID.tmp</c> or <c>NAME.PID.tmp</c> (null when the name has neither form).</summary>
    public static int? OwnerOfTemporary(string fileName)
    {
        if (!fileName.EndsWith(TemporarySuffix, StringComparison.Ordinal)) return null;
        var parts = fileName[..^TemporarySuffix.Length].Split('.');
        if (parts.Length >= 3 && parts[^1].Length == 32 && int.TryParse(parts[^2], out int withGuid)) return withGuid;
        return parts.Length >= 2 && int.TryParse(parts[^1], out int plain) ? plain : null;
    }

    /// <summary>The pid in <c>.building-NAME-PID-GUID</c> (null when absent).</summary>
    public static int? OwnerOfBuildFolder(string folderName)
    {
        var parts = folderName.Split('-');
        return parts.Length >= 3 && parts[^1].Length == 32 && int.TryParse(parts[^2], out int pid) ? pid : null;
    }

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The newest write time of the folder and everything in it (a build writes into subfolders).</summary>
    private static DateTime LastTouchedUtc(string dir)
    {
        var newest = Directory.GetLastWriteTimeUtc(dir);
        foreach (var entry in List(() => Directory.GetFileSystemEntries(dir, "*", SearchOption.AllDirectories)))
        {
            var t = File.GetLastWriteTimeUtc(entry);
            if (t > newest) newest = t;
        }
        return newest;
    }

    /// <summary>A listing that is empty when the folder is missing or unreadable: sweeping is never a reason to fail.</summary>
    private static string[] List(Func<string[]> list)
    {
        try { return list(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

    /// <summary>Another process may sweep the same leftover at the same moment, or the folder may be read-only.</summary>
    private static bool BestEffort(Action delete)
    {
        try { delete(); return true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }
}

using Search.Model;

namespace Search.Training;

/// <summary>
/// A folder in the cache that is built once and then only read (the embedded model, a zoo model).
/// The folder appears only by an atomic rename of a finished build, so "exists" means "complete".
/// Builders of the same folder take turns through a <see cref="BuildLock"/>: the first builds, the
/// others wait and then find the folder — N workers starting on an empty cache build it once, not N times.
/// </summary>
public static class CachedBuild
{
    /// <summary>The lock file of a cache folder: a hidden sibling, <c>.NAME.lock</c>.</summary>
    public static string LockFileOf(string folder) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(folder))!, "." + Path.GetFileName(Path.GetFullPath(folder)) + ".lock");

    /// <summary>
    /// Returns true when this call built <paramref name="folder"/> (with <paramref name="build"/>, into a
    /// temporary sibling folder it is given), false when the folder already existed or another process
    /// built it while we waited. <paramref name="log"/> hears about building and waiting, nothing on a hit.
    /// </summary>
    public static bool Ensure(string folder, Action<string> build, Action<string>? log = null)
    {
        folder = Path.GetFullPath(folder);
        string root = Path.GetDirectoryName(folder)!;
        // Half-built folders of killed builds go on every use of the cache, a hit included: a hit is the
        // common case, and a killed build's leftovers would otherwise stay until the next miss.
        if (Directory.Exists(root)) StaleLeftovers.SweepBuildFoldersOnce(root);
        if (Directory.Exists(folder)) return false;
        Directory.CreateDirectory(root);
        using var held = BuildLock.Acquire(LockFileOf(folder), log);
        if (Directory.Exists(folder))
        {
            log?.Invoke($"another process built {folder}; using it");
            return false;
        }
        string temp = Path.Combine(root, $"{StaleLeftovers.BuildFolderPrefix}{Path.GetFileName(folder)}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            build(temp);
            Directory.Move(temp, folder); // rename(2): atomic on one file system
            return true;
        }
        catch (IOException) when (Directory.Exists(folder))
        {
            // A builder that does not take the lock (an older prunesearch on the same cache) finished first;
            // builds are deterministic, so its copy is as good as ours.
            log?.Invoke($"another process built {folder} first; using its copy");
            return false;
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
    }
}

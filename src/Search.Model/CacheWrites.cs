namespace Search.Model;

/// <summary>
/// Writes to the cache are an optimisation, never a reason to fail: a cache folder that is full,
/// read-only or blocked by a file of the same name costs only the reuse. The first failed write of
/// a process prints one warning line (every cache kind shares it, so a full disk is one line, not
/// one per trial); later failures are silent, and the run computes what it could not cache.
/// </summary>
public static class CacheWrites
{
    private static int warned;

    /// <summary>Runs <paramref name="write"/>; false (after at most one warning per process) when it failed.</summary>
    public static bool TryWrite(string directory, Action write, Action<string>? warn = null)
    {
        try
        {
            write();
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (Interlocked.Exchange(ref warned, 1) == 0)
                (warn ?? Console.Error.WriteLine)(
                    $"warning: cannot write the cache in {directory} ({e.Message.ReplaceLineEndings(" ")}); " +
                    "continuing without caching (same results; later runs recompute what was not cached)");
            return false;
        }
    }
}

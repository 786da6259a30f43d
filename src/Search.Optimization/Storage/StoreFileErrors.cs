namespace Search.Optimization.Storage;

/// <summary>
/// Failures of the file system under a store, told apart from a damaged store: a full disk must
/// not send the user off to delete a database that is fine.
/// </summary>
internal static class StoreFileErrors
{
    /// <summary>
    /// Whether <paramref name="e"/> or an exception inside it is an out-of-space write: ENOSPC or
    /// EDQUOT (.NET on Unix puts the errno in <see cref="Exception.HResult"/>), or Windows'
    /// ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL.
    /// </summary>
    public static bool IsDiskFull(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is IOException { HResult: var code } && (OperatingSystem.IsWindows()
                    ? (uint)code is 0x80070070 or 0x80070027
                    : code == 28 || code == (OperatingSystem.IsLinux() ? 122 : 69)))
                return true;
        return false;
    }

    /// <summary>
    /// Free space a write needs on the store's file system before it is tried. LiteDB 5.0.20 can lose a
    /// committed write on a full disk without any error: measured on a full tmpfs, a study created there
    /// was gone at the next call (FullDiskStoreTests), so a trial finished that way would vanish. Our
    /// records are a few KB to a few hundred KB; the margin also covers the log LiteDB copies into the
    /// data file when a shared-mode call closes.
    /// </summary>
    public const long MinimumFreeBytes = 4L << 20;

    /// <summary>Refuses a write (as a full disk naming the file) while less than <see cref="MinimumFreeBytes"/> is free under <paramref name="path"/>.</summary>
    public static void EnsureRoomToWrite(string path)
    {
        long free;
        try
        {
            free = new DriveInfo(Path.GetDirectoryName(path) ?? path).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return; // the file system does not say; LiteDB's own errors still apply
        }
        if (free < MinimumFreeBytes)
            throw new OptimizationInputException(
                $"cannot write study store '{path}': the disk is full ({free >> 10} KB free, a write needs {MinimumFreeBytes >> 20} MB); {FreeAndRerun}");
    }

    public static OptimizationInputException DiskFull(string path, Exception e) =>
        new($"cannot write study store '{path}': the disk is full ({Innermost(e).Message.ReplaceLineEndings(" ").Trim()}); {FreeAndRerun}", e);

    private const string FreeAndRerun = "free space and rerun: the trials already stored are kept";

    private static Exception Innermost(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is IOException) return x;
        return e;
    }
}

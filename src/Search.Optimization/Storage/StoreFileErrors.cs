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

    public static OptimizationInputException DiskFull(string path, Exception e) =>
        new($"cannot write study store '{path}': the disk is full ({Innermost(e).Message.ReplaceLineEndings(" ").Trim()}); " +
            "free space and rerun: the trials already stored are kept", e);

    private static Exception Innermost(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is IOException) return x;
        return e;
    }
}

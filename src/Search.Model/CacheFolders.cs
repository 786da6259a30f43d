namespace Search.Model;

/// <summary>
/// Where PruneSearch keeps what it can rebuild (token ids, calibration statistics, checkpoint
/// hashes, the embedded model): <c>$PRUNESEARCH_CACHE_DIR</c>, else <c>~/.cache/prunesearch</c>,
/// one subfolder per kind.
/// </summary>
public static class CacheFolders
{
    public const string EnvironmentVariable = "PRUNESEARCH_CACHE_DIR";

    public static string Root()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return !string.IsNullOrWhiteSpace(fromEnvironment)
            ? fromEnvironment
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "prunesearch");
    }

    /// <summary>The folder for one kind of cached file (not created here).</summary>
    public static string For(string kind) => Path.Combine(Root(), kind);
}

namespace Search.Stress;

/// <summary>
/// The kit's own cache root (<c>PRUNESEARCH_CACHE_DIR</c> of every child): a copy of the built
/// embedded model, and stats/, tokens/, hashes/ that the kit empties to make calibration passes
/// happen again. The same path serves the reference and the killed runs, so everything they store
/// that names the model's folder is equal.
/// </summary>
public sealed class StressCache(string root)
{
    public string Root { get; } = root;
    public string Stats => Path.Combine(Root, "stats");

    /// <summary>Copies the embedded model's folder from the user's cache, building it there first when missing.</summary>
    public void Prepare(string cli, Action<string> log)
    {
        Directory.CreateDirectory(Root);
        if (Directory.GetDirectories(Root, "embedded-llama-*").Length > 0) return;
        string userCache = Environment.GetEnvironmentVariable("PRUNESEARCH_CACHE_DIR") is { Length: > 0 } env
            ? env : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "prunesearch");
        if (Directory.GetDirectories(userCache, "embedded-llama-*").Length == 0)
        {
            log($"building the embedded model once in {userCache} (about a minute)");
            using var build = CliProcess.Start(cli, Root, userCache, ["eval", "--max-windows", "1"]);
            var (exit, error) = build.Wait();
            if (exit != 0) throw new StressException($"building the embedded model failed (exit {exit}): {error.Trim()}");
        }
        foreach (var built in Directory.GetDirectories(userCache, "embedded-llama-*"))
            CopyTree(built, Path.Combine(Root, Path.GetFileName(built)));
    }

    /// <summary>Empties every cache kind (the embedded model stays): the next run starts cold.</summary>
    public void Clear()
    {
        foreach (var kind in new[] { "stats", "tokens", "hashes" })
            if (Directory.Exists(Path.Combine(Root, kind))) Directory.Delete(Path.Combine(Root, kind), recursive: true);
    }

    /// <summary>Empties stats/ only, so the next run repeats its calibration passes.</summary>
    public void ClearStatistics()
    {
        if (Directory.Exists(Stats)) Directory.Delete(Stats, recursive: true);
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
        foreach (var dir in Directory.GetDirectories(from)) CopyTree(dir, Path.Combine(to, Path.GetFileName(dir)));
    }
}

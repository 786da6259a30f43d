namespace Search.Tests.Cli;

/// <summary>
/// What the bad-input table damages copies of: one finished study (study 's', 5 trials on the
/// embedded model, finalized), searched once per test run.
/// </summary>
public sealed class BadInputFixture : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("prunesearch-bad-input-base-").FullName;

    public BadInputFixture()
    {
        StudyDb = Path.Combine(dir, "study.db");
        var run = CliRun.In(dir, SearchArgs(StudyDb));
        if (run.ExitCode != 0) throw new InvalidOperationException($"the base study failed (exit {run.ExitCode}): {run.Error}");
    }

    public string StudyDb { get; }

    /// <summary>
    /// The command that made <see cref="StudyDb"/> (rerun on a copy, it resumes that study), with the
    /// options in <paramref name="replace"/> (pairs: --option value) replacing or adding to its own.
    /// </summary>
    public static string[] SearchArgs(string db, params string[] replace)
    {
        var options = new Dictionary<string, string>
        {
            ["--space"] = CliRunner.Space("quick.json"), ["--db"] = db, ["--study"] = "s", ["--trials"] = "5", ["--proxy-windows"] = "4",
            ["--finalists"] = "1", ["--pool-size"] = "128", ["--threads"] = "2",
        };
        for (int i = 0; i + 1 < replace.Length; i += 2) options[replace[i]] = replace[i + 1];
        return ["search", .. options.SelectMany(kv => new[] { kv.Key, kv.Value })];
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);
}

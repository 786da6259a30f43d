using Search.Optimization;
using Search.Optimization.Storage;

namespace Search.Tests.Cli;

/// <summary>
/// A study store on a disk that fills up (a tiny tmpfs, so ENOSPC is real) is reported as a full
/// disk naming the file — not as a damaged or foreign database, which would send the user to
/// delete a store that is fine.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class FullDiskStoreTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("prunesearch-full-store-").FullName;

    public void Dispose()
    {
        Tmpfs.UnmountUnder(dir);
        Directory.Delete(dir, recursive: true);
    }

    private string FullDisk(Action<string>? beforeFilling = null)
    {
        string mount = Path.Combine(dir, "disk");
        Tmpfs.Mount(mount, sizeKb: 8 << 10); // room for the first study: a write needs StoreFileErrors.MinimumFreeBytes free
        beforeFilling?.Invoke(mount);
        Tmpfs.Fill(Path.Combine(mount, "filler"));
        return mount;
    }

    private static StudyRecord Record(string name, string spaceJson) =>
        new(name, "/models/tiny", "sha256:abc", spaceJson, 4, "gp", 0, "{}", "test");

    /// <summary>
    /// Run as a child process: LiteDB 5.0.20 leaves the transaction that hit ENOSPC undisposed, and its
    /// finalizer throws on the GC thread (LiteDB issues 2561/2586), which would take down a test host that
    /// lives on after the error. The CLI exits on it, so the user sees one line and nothing is finalized.
    /// </summary>
    [TmpfsFact]
    public void Given_a_store_whose_disk_fills_When_search_writes_a_new_study_Then_one_line_says_the_disk_is_full_and_the_stored_study_survives()
    {
        string db = "";
        FullDisk(mount =>
        {
            db = Path.Combine(mount, "study.db");
            using var storage = new LiteDbStorage(db);
            storage.CreateOrOpenStudy(Record("first", "{}"));
        });

        var run = CliRun.In(dir, BadInputFixture.SearchArgs(db, "--trials", "40"));

        var lines = run.Error.TrimEnd('\n').Split('\n');
        Assert.True(run.ExitCode == CliRun.UserError && lines.Length == 1, $"exit {run.ExitCode}:\n{run.Error}");
        Assert.Contains(db, lines[0]);
        Assert.Contains("disk is full", lines[0]);
        Assert.DoesNotContain("not a readable", lines[0]);
        using var stored = new LiteDbStorage(db, readOnly: true);
        Assert.NotNull(stored.FindStudy("first"));
    }

    [TmpfsFact]
    public void Given_a_full_disk_When_search_creates_its_store_there_Then_one_line_says_the_disk_is_full_with_exit_2()
    {
        string db = Path.Combine(FullDisk(), "study.db");

        var run = CliRun.In(dir, BadInputFixture.SearchArgs(db, "--trials", "1"));

        var lines = run.Error.TrimEnd('\n').Split('\n');
        Assert.True(run.ExitCode == CliRun.UserError && lines.Length == 1, $"exit {run.ExitCode}:\n{run.Error}");
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(db, lines[0]);
        Assert.Contains("disk is full", lines[0]);
    }
}

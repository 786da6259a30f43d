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
        Tmpfs.Mount(mount, sizeKb: 512);
        beforeFilling?.Invoke(mount);
        Tmpfs.Fill(Path.Combine(mount, "filler"));
        return mount;
    }

    private static StudyRecord Record(string name, string spaceJson) =>
        new(name, "/models/tiny", "sha256:abc", spaceJson, 4, "gp", 0, "{}", "test");

    [TmpfsFact]
    public void Given_a_store_whose_disk_fills_When_a_study_is_written_Then_the_error_says_the_disk_is_full_and_names_the_file()
    {
        string db = "";
        FullDisk(mount =>
        {
            db = Path.Combine(mount, "study.db");
            using var storage = new LiteDbStorage(db);
            storage.CreateOrOpenStudy(Record("first", "{}"));
        });

        var error = Assert.Throws<OptimizationInputException>(() =>
        {
            // Written until the disk refuses (16 × 256 KB > the 512 KB disk): one record may still fit in pages
            // the store had already taken, which made a single write pass in some runs.
            using var storage = new LiteDbStorage(db);
            for (int i = 0; i < 16; i++)
                storage.CreateOrOpenStudy(Record($"second-{i}", "{\"pad\": \"" + new string('x', 256 << 10) + "\"}"));
        });
        Assert.Contains(db, error.Message);
        Assert.Contains("disk is full", error.Message);
        Assert.DoesNotContain("not a readable", error.Message);
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

using Search.Optimization.Storage;
using Search.Optimization.Trials;

namespace Search.Optimization.Tests.Storage;

/// <summary>Read-only opens (trials, report) never create or change a file, whatever it holds.</summary>
public sealed class LiteDbReadOnlyTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static StudyRecord Record(string name) => new(name, "/m", "sha256:1", "{}", null, "random", 0, "ppl", "1.0");

    /// <summary>A real store with enough trials to span several pages.</summary>
    private string Store(string name)
    {
        var path = _directory.File(name);
        using var storage = new LiteDbStorage(path);
        storage.CreateOrOpenStudy(Record("s"));
        for (var n = 0; n < 60; n++)
        {
            storage.TryCreateTrial("s", TestData.RunningTrial(n));
            storage.SetTrialUserAttr("s", n, "plan", new string('x', 2000));
            storage.FinishTrial("s", n, TrialOutcome.Completed(n), DateTime.UtcNow);
        }
        return path;
    }

    private static OptimizationInputException RefusedUnchanged(string path, Action<ITrialStorage>? use = null)
    {
        var before = File.Exists(path) ? File.ReadAllBytes(path) : null;
        var error = Assert.Throws<OptimizationInputException>(() =>
        {
            using var storage = StorageLocator.Open(path, readOnly: true);
            use?.Invoke(storage);
        });
        Assert.Equal(before, File.Exists(path) ? File.ReadAllBytes(path) : null);
        Assert.Contains(path, error.Message);
        Assert.DoesNotContain('\n', error.Message);
        return error;
    }

    [Fact]
    public void Given_a_missing_file_When_opened_read_only_Then_it_is_refused_and_not_created()
    {
        var path = _directory.File("missing.db");
        Assert.Contains("not found", RefusedUnchanged(path).Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Given_a_zero_length_file_When_opened_read_only_Then_it_stays_zero_length()
    {
        var path = _directory.File("empty.db");
        File.WriteAllBytes(path, []);
        Assert.Contains("empty file", RefusedUnchanged(path).Message);
        Assert.Equal(0, new FileInfo(path).Length);
    }

    [Theory]
    [InlineData(false, "not a whole number of 8192-byte pages")] // LiteDB itself would crop the partial page
    [InlineData(true, "not a readable LiteDB database")]
    public void Given_a_store_cut_in_half_When_read_Then_one_line_names_the_file_and_no_byte_changes(bool atPageBoundary, string reason)
    {
        var path = Store("half.db");
        var bytes = File.ReadAllBytes(path);
        var half = bytes.Length / 2 + 100;
        File.WriteAllBytes(path, bytes[..(atPageBoundary ? half - half % 8192 : half)]);
        var error = RefusedUnchanged(path, storage => storage.GetTrials("s"));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void Given_a_store_with_a_damaged_page_When_read_Then_it_is_refused_and_left_byte_identical()
    {
        var path = Store("damaged.db");
        var bytes = File.ReadAllBytes(path);
        for (var i = 8192; i < 8192 + 4096; i++) bytes[i] ^= 0x5a;
        File.WriteAllBytes(path, bytes);
        RefusedUnchanged(path, storage => storage.GetTrials("s"));
    }

    [Fact]
    public void Given_another_applications_LiteDB_file_When_opened_read_only_or_writable_Then_it_is_refused_untouched()
    {
        var path = _directory.File("theirs.db");
        using (var theirs = new LiteDB.LiteDatabase($"Filename={path}"))
            theirs.GetCollection("customers").Insert(new LiteDB.BsonDocument { ["name"] = "Ada" });
        var before = File.ReadAllBytes(path);

        Assert.Contains("not a PruneSearch store", RefusedUnchanged(path).Message);
        var error = Assert.Throws<OptimizationInputException>(() => new LiteDbStorage(path));
        Assert.Contains("customers", error.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void Given_a_good_store_When_read_read_only_Then_everything_reads_nothing_is_written_and_writes_are_refused()
    {
        var path = Store("good.db");
        var before = File.ReadAllBytes(path);
        using (var storage = StorageLocator.Open(path, readOnly: true))
        {
            Assert.Equal(60, storage.GetTrials("s").Count);
            Assert.Equal(["s"], storage.GetStudies().Select(s => s.Name));
            Assert.Empty(storage.GetStudyTasks("s"));
            Assert.Throws<InvalidOperationException>(() => storage.CreateOrOpenStudy(Record("t")));
            Assert.Throws<InvalidOperationException>(() => storage.RecordHeartbeat("s", 0, "w", DateTime.UtcNow));
        }
        Assert.Equal(before, File.ReadAllBytes(path));
    }
}

using Search.Optimization.Storage;
using Search.Optimization.Trials;

namespace Search.Optimization.Tests.Storage;

public sealed class LiteDbStorageFileTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static StudyRecord Record(string name) => new(name, "/m", "sha256:1", "{}", null, "random", 0, "ppl", "1.0");

    [Fact]
    public void Given_a_file_of_garbage_bytes_When_opened_Then_a_one_line_error_names_the_file()
    {
        var path = _directory.File("garbage.db");
        var bytes = new byte[64 * 1024];
        new Random(7).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<OptimizationInputException>(() => new LiteDbStorage(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("not a readable LiteDB database", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Given_a_text_file_When_opened_Then_a_one_line_error_names_the_file()
    {
        var path = _directory.File("notes.db");
        File.WriteAllText(path, "this is not a database\n");
        var error = Assert.Throws<OptimizationInputException>(() => new LiteDbStorage(path));
        Assert.Contains(path, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Given_two_open_storages_on_one_file_When_both_write_Then_each_sees_the_others_writes()
    {
        // Shared mode: a second connection (same or another process) is allowed and sees committed data at once.
        var path = _directory.File("shared.db");
        using var first = new LiteDbStorage(path);
        using var second = new LiteDbStorage(path);
        first.CreateOrOpenStudy(Record("s"));
        Assert.True(second.TryCreateTrial("s", TestData.RunningTrial(0)));
        Assert.False(first.TryCreateTrial("s", TestData.RunningTrial(0)));
        Assert.True(first.TryCreateTrial("s", TestData.RunningTrial(1)));
        second.FinishTrial("s", 1, TrialOutcome.Completed(3.0), DateTime.UtcNow);
        Assert.Equal([TrialState.Running, TrialState.Complete], first.GetTrials("s").Select(t => t.State));
    }

    [Fact]
    public void Given_two_storages_racing_for_trial_numbers_When_both_claim_in_parallel_Then_every_number_is_claimed_once()
    {
        var path = _directory.File("race.db");
        using var a = new LiteDbStorage(path);
        using var b = new LiteDbStorage(path);
        a.CreateOrOpenStudy(Record("s"));
        var wins = new int[2];
        Parallel.For(0, 2, worker =>
        {
            var storage = worker == 0 ? a : b;
            for (var n = 0; n < 20; n++)
                if (storage.TryCreateTrial("s", TestData.RunningTrial(n, worker: $"w{worker}"))) wins[worker]++;
        });
        Assert.Equal(20, wins.Sum());
        Assert.Equal(Enumerable.Range(0, 20), a.GetTrials("s").Select(t => t.Number));
    }

    [Fact]
    public void Given_a_store_written_by_a_newer_schema_When_opened_Then_the_error_says_to_upgrade()
    {
        var path = _directory.File("future.db");
        using (var storage = new LiteDbStorage(path)) storage.CreateOrOpenStudy(Record("s"));
        using (var raw = new LiteDB.LiteDatabase($"Filename={path};Connection=shared"))
            raw.GetCollection("meta").Upsert(new LiteDB.BsonDocument { ["_id"] = "schema", ["version"] = LiteDbStorage.CurrentFileSchemaVersion + 1 });
        var error = Assert.Throws<OptimizationInputException>(() => new LiteDbStorage(path));
        Assert.Contains("use a newer PruneSearch", error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Given_a_missing_or_empty_file_When_opened_Then_it_becomes_a_new_store()
    {
        var path = _directory.File("empty.db");
        File.WriteAllBytes(path, []);
        using var storage = new LiteDbStorage(path);
        Assert.Empty(storage.GetStudies());
    }
}

using Search.Optimization.Samplers;
using Search.Optimization.Storage;
using Search.Optimization.Trials;

namespace Search.Optimization.Tests.Storage;

/// <summary>What the PostgreSQL store does beyond the shared contract: its schema, read-only opens, parity with LiteDB.</summary>
public sealed class PostgresStoreTests : IDisposable
{
    private readonly List<string> _urls = [];
    private readonly TempDirectory _directory = new();

    public void Dispose()
    {
        foreach (var url in _urls) PostgresTestServer.DropSchemaOf(url);
        _directory.Dispose();
    }

    private string NewUrl()
    {
        var url = PostgresTestServer.UrlWithNewSchema();
        _urls.Add(url);
        return url;
    }

    private static bool SchemaExists(string url) =>
        PostgresTestServer.Scalar<bool>($"SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = '{PostgresUrl.Parse(url).Schema}')");

    [PostgresFact]
    public void Given_a_store_written_by_a_newer_schema_When_opened_Then_the_error_says_to_upgrade()
    {
        var url = NewUrl();
        new PostgresStorage(url).Dispose();
        PostgresTestServer.Execute($"UPDATE {PostgresUrl.Parse(url).Schema}.store_schema SET version = 99");
        var error = Assert.Throws<OptimizationInputException>(() => new PostgresStorage(url));
        Assert.Contains("schema version 99", error.Message);
        Assert.Contains("use a newer PruneSearch", error.Message);
        Assert.Contains(PostgresUrl.Parse(url).Display, error.Message);
    }

    [PostgresFact]
    public void Given_a_schema_holding_other_tables_When_opened_Then_it_is_refused_and_nothing_is_added()
    {
        var url = NewUrl();
        var schema = PostgresUrl.Parse(url).Schema;
        PostgresTestServer.Execute($"CREATE SCHEMA {schema}; CREATE TABLE {schema}.invoices (id int)");
        var error = Assert.Throws<OptimizationInputException>(() => new PostgresStorage(url));
        Assert.Contains("no PruneSearch store", error.Message);
        Assert.Equal(1L, PostgresTestServer.Scalar<long>($"SELECT count(*) FROM pg_tables WHERE schemaname = '{schema}'"));
    }

    [PostgresFact]
    public void Given_no_store_When_opened_read_only_Then_it_is_refused_and_nothing_is_created()
    {
        var url = NewUrl();
        var error = Assert.Throws<OptimizationInputException>(() => StorageLocator.Open(url, readOnly: true));
        Assert.Contains("nothing was created", error.Message);
        Assert.False(SchemaExists(url));
    }

    [PostgresFact]
    public void Given_a_store_When_opened_read_only_Then_it_reads_and_refuses_every_write()
    {
        var url = NewUrl();
        using (var writer = new PostgresStorage(url))
        {
            writer.CreateOrOpenStudy(new StudyRecord("s", "/m", "sha256:1", "{}", null, "random", 0, "ppl", "1.0"));
            writer.TryCreateTrial("s", TestData.RunningTrial(0));
        }
        using var reader = StorageLocator.Open(url, readOnly: true);
        Assert.Single(reader.GetTrials("s"));
        Assert.Throws<InvalidOperationException>(() => reader.RecordHeartbeat("s", 0, "w", DateTime.UtcNow));
        Assert.Throws<InvalidOperationException>(() => reader.ImportStudy(StudySnapshot.Read(reader, "s")));
        // And the session itself cannot write, should a statement slip past the checks.
        var refused = Assert.Throws<Npgsql.PostgresException>(() => ((PostgresStorage)reader).Run(c =>
        {
            using var command = new Npgsql.NpgsqlCommand($"DELETE FROM {PostgresUrl.Parse(url).Schema}.trials", c);
            return command.ExecuteNonQuery();
        }));
        Assert.Equal("25006", refused.SqlState); // read_only_sql_transaction
        Assert.Single(reader.GetTrials("s"));
    }

    [PostgresFact]
    public void Given_several_workers_starting_together_When_they_open_a_new_store_Then_exactly_one_creates_it()
    {
        var url = NewUrl();
        Parallel.For(0, 6, _ => new PostgresStorage(url).Dispose());
        Assert.Equal(1L, PostgresTestServer.Scalar<long>($"SELECT count(*) FROM {PostgresUrl.Parse(url).Schema}.store_schema"));
    }

    [PostgresFact]
    public void Given_one_worker_and_the_same_seed_When_a_study_runs_on_PostgreSQL_and_on_LiteDB_Then_the_trial_lists_are_identical()
    {
        var space = TestData.MixedSpace();
        List<string> Run(ITrialStorage storage)
        {
            var study = TestData.NewStudy(storage, space, new GpSampler(new GpSamplerSettings(StartupTrials: 3, RandomCandidates: 64)), seed: 8);
            study.EnqueueBaselines();
            study.Optimize(trial => TestData.SyntheticLoss(trial.Params), 8);
            return TestData.Describe(study.Trials);
        }
        using var lite = new LiteDbStorage(_directory.File("parity.db"));
        using var postgres = new PostgresStorage(NewUrl());
        Assert.Equal(Run(lite), Run(postgres));
    }

    [PostgresFact]
    public void Given_a_server_clock_When_a_store_opens_Then_its_offset_from_this_machine_is_measured()
    {
        using var storage = new PostgresStorage(NewUrl());
        // Same machine: the offset is the round trip, far below any sensible grace.
        Assert.InRange(storage.ServerClockOffset, TimeSpan.FromSeconds(-5), TimeSpan.FromSeconds(5));
    }
}

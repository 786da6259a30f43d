using System.Diagnostics;
using Search.Optimization.Storage;
using Search.Optimization.Trials;
using Search.Records;

namespace Search.Tests.Cli;

/// <summary>A PostgreSQL store for CLI tests: <c>PRUNESEARCH_TEST_PG</c> (set by .ci/run), else these tests are skipped.</summary>
public sealed class PostgresCliFactAttribute : FactAttribute
{
    public static string? Url { get; } = Environment.GetEnvironmentVariable("PRUNESEARCH_TEST_PG") is { Length: > 0 } url ? url : null;

    public PostgresCliFactAttribute()
    {
        if (Url is null) Skip = "SKIPPED: set PRUNESEARCH_TEST_PG=postgresql://user@host:port/db to run the PostgreSQL worker tests (.ci/run does)";
    }
}

/// <summary>
/// Four `prunesearch search` processes on one study, one of them killed with -9 in the middle of a
/// trial: the study ends with exactly --trials complete trials, no number or config twice, the
/// killed worker's trial finished by another worker, finalisation done once, every survivor exit 0.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class MultiWorkerTests : IDisposable
{
    private const int Workers = 4, Total = 12;
    private readonly string dir = Directory.CreateTempSubdirectory("prunesearch-workers-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Given_four_workers_on_one_LiteDB_file_When_one_is_killed_mid_trial_Then_the_study_ends_exactly_as_asked() =>
        RunWorkers(Path.Combine(dir, "workers.db"));

    [PostgresCliFact]
    public void Given_four_workers_on_one_PostgreSQL_study_When_one_is_killed_mid_trial_Then_the_study_ends_exactly_as_asked()
    {
        string url = PostgresCliFactAttribute.Url! + (PostgresCliFactAttribute.Url!.Contains('?') ? "&" : "?") + "schema=w_" + Guid.NewGuid().ToString("N");
        RunWorkers(url);
    }

    private void RunWorkers(string store)
    {
        string[] args =
        [
            "search", "--space", CliRunner.Space("quick.json"), "--db", store, "--study", "w", "--trials", Total.ToString(),
            "--seed", "3", "--proxy-windows", "16", "--finalists", "1", "--grace", "3",
        ];
        var workers = Enumerable.Range(0, Workers).Select(_ => CliRunner.Start(dir, args)).ToList();
        var outputs = workers.Select(w => w.StandardOutput.ReadToEndAsync()).ToList();
        var errors = workers.Select(w => w.StandardError.ReadToEndAsync()).ToList();
        int victim = workers[0].Id;
        try
        {
            // Kill worker 0 as soon as it holds a Running trial of its own.
            var sw = Stopwatch.StartNew();
            bool killed = false;
            while (!killed && sw.Elapsed < TimeSpan.FromMinutes(4) && !workers[0].HasExited)
            {
                Thread.Sleep(50);
                using var peek = TryOpen(store);
                if (peek?.FindStudy("w") is null) continue;
                if (peek.GetTrials("w").Any(t => t.State == TrialState.Running && t.Worker.Contains($":{victim}:", StringComparison.Ordinal)))
                {
                    workers[0].Kill(entireProcessTree: true);
                    killed = true;
                }
            }
            Assert.True(killed, "worker 0 never held a running trial to be killed in");
            foreach (var w in workers.Skip(1))
                Assert.True(w.WaitForExit(TimeSpan.FromMinutes(8)), "a surviving worker did not finish");
        }
        finally
        {
            foreach (var w in workers.Where(w => !w.HasExited)) w.Kill(entireProcessTree: true);
        }
        for (int i = 1; i < Workers; i++)
            Assert.True(workers[i].ExitCode == 0, $"worker {i} exit {workers[i].ExitCode}: {errors[i].Result}");

        using var storage = StorageLocator.Open(store, readOnly: true);
        var trials = storage.GetTrials("w");
        Assert.Equal(Enumerable.Range(0, Total), trials.Select(t => t.Number));
        Assert.All(trials, t => Assert.Equal(TrialState.Complete, t.State));
        var configs = trials.Select(t => string.Join(";", t.Params.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}"))).ToList();
        Assert.Equal(configs.Count, configs.Distinct().Count());
        // The trial the killed worker held was taken over and finished by a survivor.
        Assert.Contains(trials, t => t.UserAttr(UserAttrKeys.ReclaimedFrom)?.Contains($":{victim}:", StringComparison.Ordinal) == true);
        Assert.DoesNotContain(trials, t => t.Worker.Contains($":{victim}:", StringComparison.Ordinal));
        // Finalisation ran once, for every baseline and the best searched trial.
        var finals = trials.Where(t => t.UserAttr(TrialAttrs.Final) is not null).ToList();
        Assert.Equal(trials.Count(t => t.UserAttr(UserAttrKeys.Baseline) is not null) + 1, finals.Count);
        Assert.Equal(StudyTaskState.Complete, storage.GetStudyTask("w", "finalize")?.State);
    }

    private static ITrialStorage? TryOpen(string store)
    {
        try { return StorageLocator.Open(store, readOnly: true); }
        catch (Search.Optimization.OptimizationInputException) { return null; }
    }
}

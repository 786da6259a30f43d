using System.Diagnostics;
using Search.Optimization.Samplers;
using Search.Optimization.Storage;
using Search.Optimization.Trials;
using Xunit.Abstractions;

namespace Search.Optimization.Tests.Storage;

/// <summary>A measurement, not a check: run with PRUNESEARCH_BENCH=1 (and PRUNESEARCH_TEST_PG for PostgreSQL).</summary>
public sealed class BenchmarkFactAttribute : FactAttribute
{
    public BenchmarkFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("PRUNESEARCH_BENCH") != "1") Skip = "SKIPPED: a measurement; set PRUNESEARCH_BENCH=1 to run it";
    }
}

/// <summary>
/// Trials per second of ask + tell with an objective that returns at once, for 1, 2 and 4 workers
/// (Study objects with their own identity and store handle, on threads) on one study: the store's
/// own cost per trial, which a real trial (seconds to minutes) dwarfs.
/// </summary>
public sealed class StoreThroughputBenchmark(ITestOutputHelper output) : IDisposable
{
    private const int Trials = 200;
    private readonly TempDirectory _directory = new();
    private readonly List<string> _pgUrls = [];

    public void Dispose()
    {
        foreach (var url in _pgUrls) PostgresTestServer.DropSchemaOf(url);
        _directory.Dispose();
    }

    [BenchmarkFact]
    public void Trials_per_second_of_ask_and_tell_by_store_and_worker_count()
    {
        var stores = new List<(string Name, Func<Func<ITrialStorage>>)>
        {
            ("in-memory", () => { var shared = new InMemoryStorage(); return () => new NonDisposingStorage(shared); }),
            ("LiteDB", () => { var path = _directory.File($"bench{Guid.NewGuid():N}.db"); return () => new LiteDbStorage(path); }),
        };
        if (PostgresTestServer.Url is not null)
            stores.Add(("PostgreSQL", () => { var url = PostgresTestServer.UrlWithNewSchema(); _pgUrls.Add(url); return () => new PostgresStorage(url); }));

        output.WriteLine($"{"store",-12} {"workers",7} {"trials",7} {"seconds",8} {"trials/s",9}");
        foreach (var (name, newStore) in stores)
            foreach (var workers in new[] { 1, 2, 4 })
            {
                var open = newStore();
                var handles = Enumerable.Range(0, workers).Select(_ => open()).ToList();
                var studies = handles.Select((storage, k) => Study.CreateOrResume(storage, TestData.Record("s", TestData.MixedSpace(), "random", 1),
                    TestData.MixedSpace(), new RandomSampler(), new WorkerIdentity($"bench-{k}", k, 1))).ToList();
                var clock = Stopwatch.StartNew();
                Parallel.ForEach(studies, new ParallelOptions { MaxDegreeOfParallelism = workers }, study => study.Optimize(_ => 1.0, Trials));
                var seconds = clock.Elapsed.TotalSeconds;
                var stored = handles[0].GetTrials("s");
                Assert.Equal(Trials, stored.Count(t => t.State == TrialState.Complete));
                output.WriteLine($"{name,-12} {workers,7} {Trials,7} {seconds,8:F2} {Trials / seconds,9:F1}");
                foreach (var handle in handles) handle.Dispose();
            }
    }
}

using Search.Model;

namespace Search.Tests.Cli;

/// <summary>
/// Issue 21, defect 7: "On an empty cache, N workers each build the embedded model". Three `search`
/// workers start together on one study and an empty cache: exactly one trains the embedded model, the
/// other two wait for it and reuse its folder, and all three end the study normally.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class EmbeddedBuildOnceTests : IDisposable
{
    private const string Building = "building the embedded model";
    private readonly string dir = Directory.CreateTempSubdirectory("prunesearch-build-once-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public async Task Given_an_empty_cache_When_three_search_workers_start_together_Then_the_embedded_model_is_built_once()
    {
        var environment = new Dictionary<string, string> { [CacheFolders.EnvironmentVariable] = Path.Combine(dir, "cache") };
        string[] args =
        [
            "search", "--space", CliRunner.Space("quick.json"), "--db", Path.Combine(dir, "workers.db"), "--study", "w",
            "--trials", "3", "--proxy-windows", "4", "--finalists", "1", "--final-tokens", "1024", "--grace", "30",
        ];
        var workers = Enumerable.Range(0, 3).Select(_ => CliRunner.Start(dir, environment, args)).ToList();
        var outputs = workers.Select(w => w.StandardOutput.ReadToEndAsync()).ToList();
        var errors = workers.Select(w => w.StandardError.ReadToEndAsync()).ToList();
        try
        {
            foreach (var w in workers) Assert.True(w.WaitForExit(TimeSpan.FromMinutes(15)), "a worker did not finish");
        }
        finally
        {
            foreach (var w in workers.Where(w => !w.HasExited)) w.Kill(entireProcessTree: true);
        }

        string[] output = await Task.WhenAll(outputs), error = await Task.WhenAll(errors);
        for (int i = 0; i < workers.Count; i++)
            Assert.True(workers[i].ExitCode == 0, $"worker {i} exit {workers[i].ExitCode}: {error[i]}");
        int builders = output.Count(o => o.Contains(Building, StringComparison.Ordinal));
        Assert.True(builders == 1, $"{builders} of 3 workers built the embedded model:\n" +
                                   string.Join("\n---\n", output.Select(o => string.Join("\n", o.Split('\n').Take(6)))));
        // One finished model folder in the cache and no half-built leftovers.
        var built = Directory.GetDirectories(Path.Combine(dir, "cache"), "embedded-llama-*");
        Assert.Single(built);
        Assert.Empty(Directory.GetDirectories(Path.Combine(dir, "cache"), StaleLeftovers.BuildFolderPrefix + "*"));
    }
}

namespace Search.Tests.Cli;

/// <summary>The zoo command's refusals: one line on stderr, exit 2, nothing trained.</summary>
[Collection(CliCollection.Name)]
public sealed class ZooCliTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("prunesearch-zoo-cli-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>A cache of this test's own, and no data folder from the environment (lookups then walk up from the work dir).</summary>
    private Dictionary<string, string> Environment => new()
    {
        [Search.Model.CacheFolders.EnvironmentVariable] = Path.Combine(dir, "cache"),
        [Search.Data.DataDirectory.EnvironmentVariable] = "",
    };

    private static void AssertOneLineRefusal(CliRun run, string mustMention)
    {
        Assert.True(run.ExitCode == CliRun.UserError, $"exit {run.ExitCode}: {run.Error}");
        var lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(mustMention, lines[0]);
        Assert.DoesNotContain("   at ", run.Error);
    }

    [Fact]
    public void Given_an_unknown_zoo_name_When_training_or_loading_it_Then_one_line_names_the_known_models_and_exit_2()
    {
        AssertOneLineRefusal(CliRun.With(CliRunner.RepoRoot, Environment, "zoo", "train", "no-such-model"), "unknown zoo model 'no-such-model'");
        AssertOneLineRefusal(CliRun.With(CliRunner.RepoRoot, Environment, "eval", "--model", "zoo:no-such-model", "--max-windows", "1"),
            "tiny-mha");
        Assert.False(Directory.Exists(Path.Combine(dir, "cache", "zoo")));
    }

    [Fact]
    public void Given_no_shared_folder_When_using_the_zoo_Then_one_line_says_so_and_exit_2()
    {
        // The temp folder has no shared/ above it, and the environment names none.
        AssertOneLineRefusal(CliRun.With(dir, Environment, "zoo", "list"), "../shared");
        AssertOneLineRefusal(CliRun.With(dir, Environment, "zoo", "train", "tiny-mha"), "../shared");
        AssertOneLineRefusal(CliRun.With(dir, Environment, "eval", "--model", "zoo:tiny-mha"), "../shared");
    }

    [SharedFact]
    public void Given_shared_When_listing_the_zoo_Then_every_model_is_named_with_its_parameter_count()
    {
        var run = CliRun.With(CliRunner.RepoRoot, Environment, "zoo", "list");
        Assert.True(run.ExitCode == 0, run.Error);
        foreach (var r in Search.Training.Zoo.ZooCatalog.All)
        {
            Assert.Contains(r.Name, run.Output);
            Assert.Contains($"{r.Config(512, 1, 2).ParameterCount():N0}", run.Output);
        }
    }
}

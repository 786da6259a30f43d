namespace Search.Tests.Cli;

/// <summary>Bad input to `search`: one line on stderr, exit 2, and no stored trial lost.</summary>
public sealed class SearchCliErrorTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("prunesearch-search-err-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static void AssertOneLineError(int exit, string err, string expected)
    {
        Assert.Equal(2, exit);
        Assert.Contains(expected, err);
        Assert.Single(err.TrimEnd('\n').Split('\n'));
    }

    private string[] Args(params string[] extra) =>
        ["search", "--space", CliRunner.Space("quick.json"), "--db", Path.Combine(dir, "x.db"), "--trials", "2", .. extra];

    [Fact]
    public void Malformed_space_json_names_the_path()
    {
        string space = Path.Combine(dir, "bad.json");
        File.WriteAllText(space, """{ "name": "bad", "params": [ { "name": "x", "kind": "int", "low": 5, "high": 1 } ] }""");
        var (exit, _, err) = CliRunner.Run("search", "--space", space, "--db", Path.Combine(dir, "x.db"));
        AssertOneLineError(exit, err, "$.params[0]");
    }

    [Fact]
    public void Unknown_sampler_is_named()
    {
        var (exit, _, err) = CliRunner.Run(Args("--sampler", "annealing"));
        AssertOneLineError(exit, err, "unknown sampler 'annealing'");
    }

    [Theory]
    [InlineData("1.0")]
    [InlineData("-0.1")]
    public void Ratio_out_of_range_is_refused(string ratio)
    {
        var (exit, _, err) = CliRunner.Run(Args("--ratio", ratio));
        AssertOneLineError(exit, err, "--ratio must be in [0, 1)");
    }

    [Fact]
    public void A_database_file_that_is_not_LiteDB_is_refused_and_left_untouched()
    {
        string db = Path.Combine(dir, "notes.db");
        File.WriteAllText(db, "these are my notes, not a database\n");
        var before = File.ReadAllBytes(db);
        var (exit, _, err) = CliRunner.Run("search", "--space", CliRunner.Space("quick.json"), "--db", db);
        AssertOneLineError(exit, err, "notes.db");
        Assert.Equal(before, File.ReadAllBytes(db));
    }

    [Fact]
    public void Missing_space_file_is_named()
    {
        var (exit, _, err) = CliRunner.Run("search", "--space", Path.Combine(dir, "nope.json"), "--db", Path.Combine(dir, "x.db"));
        AssertOneLineError(exit, err, "nope.json");
    }

    [Fact]
    public void Unknown_study_in_trials_is_named()
    {
        var (exit, _, err) = CliRunner.Run("trials", "--db", Path.Combine(dir, "none.db"), "--study", "zzz");
        AssertOneLineError(exit, err, "none.db");
    }
}

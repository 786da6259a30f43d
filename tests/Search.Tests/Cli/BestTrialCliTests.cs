using System.Text.Json;
using System.Text.RegularExpressions;

namespace Search.Tests.Cli;

/// <summary>
/// Issue 21: on a study whose searched trials were not finalised, <c>best</c> printed no searched
/// trial while <c>export --trial best</c> wrote the best by proxy. One rule (SearchedRule) now names
/// the same trial in both.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class BestTrialCliTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("prunesearch-best-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Given_a_study_without_finalists_When_best_and_export_trial_best_run_Then_they_name_the_same_trial()
    {
        string db = Path.Combine(dir, "s.db");
        var search = CliRun.In(dir, BadInputFixture.SearchArgs(db, "--trials", "13", "--finalists", "0", "--study", "u"));
        Assert.True(search.ExitCode == 0, search.Error);

        var best = CliRun.In(dir, "best", "--db", db, "--study", "u", "--json");
        Assert.True(best.ExitCode == 0, best.Error);
        using var doc = JsonDocument.Parse(best.Output);
        Assert.False(doc.RootElement.GetProperty("best_finalized").GetBoolean());
        int named = doc.RootElement.GetProperty("best").GetProperty("number").GetInt32();

        var table = CliRun.In(dir, "best", "--db", db, "--study", "u");
        Assert.Matches($@"│ {named}\s+│ searched \(best by proxy; not finalized\)", table.Output);

        var export = CliRun.In(dir, "export", "--db", db, "--study", "u", "--trial", "best", "--out", Path.Combine(dir, "pruned"));
        Assert.True(export.ExitCode == 0, export.Output + export.Error);
        var exported = Regex.Match(export.Output, @"exported study 'u' trial (\d+) ");
        Assert.True(exported.Success, export.Output);
        Assert.Equal(named, int.Parse(exported.Groups[1].Value));
    }
}

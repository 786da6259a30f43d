using System.Globalization;
using System.Text.RegularExpressions;

namespace Search.Tests.Reporting;

/// <summary>CLI level: a small search on the embedded model, then export of its best trial and the report from the file alone.</summary>
public sealed class ExportCommandTests
{
    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Search.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root not found");
    }

    private static (int Code, string Out, string Err) Cli(params string[] args) => Search.Tests.Cli.CliRunner.Run(args);

    [Fact]
    public void Given_a_ten_trial_study_When_the_best_trial_is_exported_Then_the_reload_scores_the_stored_proxy_ppl_exactly()
    {
        var tmp = Directory.CreateTempSubdirectory("prunesearch-export-").FullName;
        try
        {
            string db = Path.Combine(tmp, "s.db");
            var search = Cli("search", "--space", Path.Combine(RepoRoot(), "search-spaces", "quick.json"), "--db", db, "--study", "t",
                "--trials", "12", "--proxy-windows", "4", "--finalists", "1", "--pool-size", "128");
            Assert.True(search.Code == 0, search.Err);

            var export = Cli("export", "--db", db, "--study", "t", "--trial", "best", "--out", Path.Combine(tmp, "pruned"));
            Assert.True(export.Code == 0, export.Out + export.Err);
            var m = Regex.Match(export.Out, @"stored proxy ppl (\S+) .*; reloaded (\S+) .*: identical");
            Assert.True(m.Success, export.Out);
            Assert.Equal(double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
            Assert.True(File.Exists(Path.Combine(tmp, "pruned", "config.json")));
            Assert.True(File.Exists(Path.Combine(tmp, "pruned", "model.safetensors")));

            var report = Cli("report", "--db", db, "--study", "t", "--out", Path.Combine(tmp, "report"));
            Assert.True(report.Code == 0, report.Err);
            Assert.Contains("searched (best on search split)", File.ReadAllText(Path.Combine(tmp, "report", "report.md")));

            Assert.Equal(Search.Tests.Cli.CliRun.UserError, Cli("export", "--db", db, "--study", "t", "--trial", "99", "--out", Path.Combine(tmp, "x")).Code);
            Assert.Equal(Search.Tests.Cli.CliRun.UserError, Cli("report", "--db", db, "--study", "nope").Code);
            Assert.Equal(Search.Tests.Cli.CliRun.UserError, Cli("report", "--db", Path.Combine(tmp, "missing.db"), "--study", "t").Code);
        }
        finally
        {
            Directory.Delete(tmp, recursive: true);
        }
    }
}

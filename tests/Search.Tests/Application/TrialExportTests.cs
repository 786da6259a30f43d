using System.Text.RegularExpressions;
using Search.Application.Export;
using Search.Model.Export;
using Search.Optimization.Storage;
using Search.Records;
using Search.Reporting;
using Search.Tests.Cli;

namespace Search.Tests.Application;

/// <summary>
/// The export use case as a library call (what <c>prunesearch export</c> does after parsing its
/// options): a study searched by the real executable, then trials rebuilt, written and checked in-process.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class TrialExportTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("prunesearch-trial-export-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private StudyData Study()
    {
        string db = Path.Combine(dir, "s.db");
        var search = CliRun.In(dir, BadInputFixture.SearchArgs(db, "--trials", "12", "--study", "t"));
        Assert.True(search.ExitCode == 0, search.Error);
        using var storage = StorageLocator.Open(db, readOnly: true);
        return StudyData.Load(storage, "t", db);
    }

    private static readonly ExportTarget Hf = new(ExportFormat.Hf, GgufFileType.F32, null);
    private static readonly ExportTarget HfPadded = new(ExportFormat.HfPadded, GgufFileType.F32, null);

    [Fact]
    public void Given_a_searched_study_When_its_best_and_a_baseline_are_exported_Then_each_is_the_chosen_trial_and_reloads_to_its_stored_ppl()
    {
        var data = Study();
        int best = SearchedRule.Best(data.Trials)!.Number + 1;

        var log = new StringWriter();
        var check = TrialExport.Run(data, null, Path.Combine(dir, "best"), Hf, null, null, threads: 2, log);
        Assert.True(check.Passed, log.ToString());
        Assert.Matches($"exported study 't' trial {best} as hf to ", log.ToString());
        Assert.Matches(new Regex("; reloaded \\S+ \\(\\d+ tokens\\): identical"), check.Line!);
        Assert.True(File.Exists(Path.Combine(dir, "best", "model.safetensors")));

        var baseline = data.Trials.First(t => t.UserAttr(Search.Optimization.Trials.UserAttrKeys.Baseline) is not null);
        log = new StringWriter();
        check = TrialExport.Run(data, baseline.Number + 1, Path.Combine(dir, "padded"), HfPadded, null, null, threads: 2, log);
        Assert.True(check.Passed, log.ToString());
        Assert.Contains($"exported study 't' trial {baseline.Number + 1} as hf-padded", log.ToString());
        Assert.Equal(baseline.Scores.First(s => s.Name == "ppl").Value, check.Measured!.Value, 1e-5 * check.Measured.Value);

        var missing = Assert.Throws<ReportInputException>(() => TrialExport.Choose(data, data.Trials.Count + 5));
        Assert.StartsWith($"study 't' has no trial {data.Trials.Count + 5}", missing.Message);
        var noModel = Assert.Throws<ReportInputException>(() =>
            TrialExport.Run(data, null, Path.Combine(dir, "x"), Hf, Path.Combine(dir, "no-such-model"), null, 2, TextWriter.Null));
        Assert.Contains("no-such-model not found", noModel.Message);
    }
}

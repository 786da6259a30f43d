using Search.Optimization.Storage;
using Search.Records;
using Search.Reporting.Plots;
using Search.Reporting.Tables;

namespace Search.Reporting.Tests;

/// <summary>Reports of a study timed with <c>search --speed</c>: the speed table, speedup columns and the speed Pareto plot, and nothing of it otherwise.</summary>
public sealed class SpeedReportTests
{
    private static TrialSpeed Speed(double decode, double denseDecode, bool llama) => new(
        new SpeedProtocolSummary(128, 64, 1, 5, 0), 2, new SpeedMachine("Test CPU", 2, "avx2", "Linux"),
        new RuntimeSpeed("TorchSharp float32", new Throughput(1000, decode, 1100, decode * 1.1), new Throughput(800, denseDecode, 900, denseDecode)),
        llama ? new RuntimeSpeed("llama.cpp f32", new Throughput(2000, decode * 2, 2100, decode * 2), new Throughput(1500, denseDecode * 2, 1500, denseDecode * 2)) : null,
        1.0, 1.5, DateTime.UnixEpoch);

    private static StudySummary Timed(bool llama)
    {
        var storage = new InMemoryStorage();
        SyntheticStudy.Create(storage, "s");
        storage.SetTrialUserAttr("s", 0, TrialAttrs.Speed, AttrJson.Serialize(Speed(50, 40, llama)));
        storage.SetTrialUserAttr("s", 1, TrialAttrs.Speed, AttrJson.Serialize(Speed(60, 40, llama)));
        storage.SetTrialUserAttr("s", 2, TrialAttrs.Speed, AttrJson.Serialize(Speed(55, 40, llama)));
        return new StudySummary(StudyData.Load(storage, "s", "mem"));
    }

    [Fact]
    public void Given_timed_trials_When_reported_Then_the_speed_table_has_speedups_against_the_dense_model()
    {
        var s = Timed(llama: true);
        var table = ReportTables.Speed(s)!;
        Assert.Equal(["flap-wifv-al-am-bias", "1", "11.5000", "", "1000.0", "1.25", "50.0", "1.25", "40.0", "2000.0", "1.33", "100.0", "1.25", "80.0", "2", "1.0→1.5"],
            table.Rows[0].Select((c, i) => i == 3 ? "" : c));
        Assert.Equal("searched #3", table.Rows[2][0]);
        var summary = ReportTables.Summary(s);
        Assert.Equal(["decode speedup (TorchSharp)", "decode speedup (llama.cpp)"], summary.Headers.TakeLast(2));
        Assert.Equal(["1.38x", "1.38x"], summary.Rows[^1].TakeLast(2)); // best searched: 55 / 40
    }

    [Fact]
    public void Given_timed_trials_When_written_Then_the_speed_plot_is_among_the_plots_and_untimed_studies_keep_four()
    {
        using var dir = new TempDir();
        var s = Timed(llama: false);
        var files = ReportWriter.Write(s, [s], ReportFormat.Markdown, dir.Path, [], topK: 3);
        Assert.Contains(dir.File(SpeedParetoPlot.FileName), files);
        Assert.Equal((PlotFiles.Width, PlotFiles.Height), Png.Size(dir.File(SpeedParetoPlot.FileName)));
        string md = File.ReadAllText(dir.File("report.md"));
        Assert.Contains("measured speed (batch 1, 128-token prompt, 64 new tokens, median of 5 after 1 warm-up; Test CPU", md);
        Assert.DoesNotContain("llama.cpp", md);

        var storage = new InMemoryStorage();
        SyntheticStudy.Create(storage, "plain");
        var plain = new StudySummary(StudyData.Load(storage, "plain", "mem"));
        Assert.Null(ReportTables.Speed(plain));
        Assert.DoesNotContain(ReportTables.Summary(plain).Headers, h => h.Contains("speedup"));
        using var other = new TempDir();
        Assert.Equal(4, ReportWriter.Write(plain, [plain], ReportFormat.Markdown, other.Path, [], topK: 3).Count(f => f.EndsWith(".png")));
    }

    [Fact]
    public void Given_speed_points_When_the_front_is_taken_Then_only_points_no_faster_and_better_point_beats_remain()
    {
        var front = SpeedParetoPlot.Front([(50, 12), (60, 13), (55, 11), (40, 10), (45, 11.5), (70, 20)]);
        Assert.Equal([(40.0, 10.0), (55.0, 11.0), (60.0, 13.0), (70.0, 20.0)], front);
    }
}

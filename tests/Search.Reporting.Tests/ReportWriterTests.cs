using System.Text.Json;
using Search.Optimization.Storage;
using Search.Reporting.Experiments;
using Search.Reporting.Plots;
using Search.Reporting.Tables;

namespace Search.Reporting.Tests;

public sealed class ReportWriterTests
{
    private static StudySummary Summary(ITrialStorage storage, string name = "s20") => new(StudyData.Load(storage, name, "mem"));

    private static (InMemoryStorage Storage, StudySummary Summary, IReadOnlyList<StudySummary> All) TwoStudies()
    {
        var storage = new InMemoryStorage();
        SyntheticStudy.Create(storage, "s20");
        SyntheticStudy.Create(storage, "s50", ratio: 0.5, scale: 2.0);
        var s = Summary(storage);
        return (storage, s, [s, Summary(storage, "s50")]);
    }

    [Fact]
    public void Given_a_study_When_summarized_Then_the_best_searched_and_best_baseline_are_chosen_on_the_search_split()
    {
        var (_, s, _) = TwoStudies();
        Assert.Equal(3, s.BestSearched!.DisplayNumber);
        Assert.Equal("wanda-sp", s.BestBaseline!.Baseline);
        Assert.Equal("flap-wifv-al-am-bias", s.AlAm!.Baseline);
        var i = s.Improvement!;
        Assert.Equal(0.10, i.SearchGain, 12);
        Assert.Equal(0.05, i.TestGain, 12);
        Assert.Equal(0.5, i.Survival!.Value, 12);
        Assert.Contains("50% of the valid improvement survives on test", i.Sentence());
        Assert.Equal(1, s.Failed);
    }

    [Fact]
    public void Given_a_study_When_written_as_markdown_Then_tables_sentence_and_four_titled_pngs_exist()
    {
        var (_, s, all) = TwoStudies();
        using var dir = new TempDir();
        var files = ReportWriter.Write(s, all, ReportFormat.Markdown, dir.Path, [], topK: 3, regenerate: "prunesearch report --study s20");
        string md = File.ReadAllText(dir.File("report.md"));
        Assert.Contains("# Study s20", md);
        Assert.Contains("| wanda-sp | 2 | 11.5000 | 10.0000 | 10.4000 |", md);
        Assert.Contains("| searched (best on search split) | 3 | 10.0000 | 9.0000 | 9.8800 |", md);
        Assert.Contains("0.50 wifv + 0.25 wifn + 0.25 wanda", md);
        Assert.Contains("8/4/130 4/2/140", md);
        Assert.Contains("| survives on test |  |  |  | 50% |", md);
        Assert.Contains("top 3 trials by proxy ppl", md);
        Assert.Contains("![history](history.png)", md);
        Assert.Contains("prunesearch report --study s20", md);
        foreach (var png in new[] { HistoryPlot.FileName, ParetoPlot.FileName, WidthsPlot.FileName, MixturePlot.FileName })
        {
            Assert.Contains(dir.File(png), files);
            Assert.Equal((PlotFiles.Width, PlotFiles.Height), Png.Size(dir.File(png)));
        }
    }

    [Fact]
    public void Given_a_study_When_written_as_csv_Then_one_file_per_table_with_quoted_fields()
    {
        var (_, s, all) = TwoStudies();
        using var dir = new TempDir();
        ReportWriter.Write(s, all, ReportFormat.Csv, dir.Path, [], topK: 10);
        var summary = File.ReadAllLines(dir.File("summary.csv"));
        Assert.StartsWith("method,trial,proxy ppl,search ppl,test ppl,params after,achieved ratio", summary[0]);
        Assert.Equal(4, summary.Length); // header, two baselines, best searched
        Assert.Contains("searched (best on search split),3,10.0000,9.0000,9.8800,", summary[3]);
        Assert.Contains("\"", File.ReadAllText(dir.File("protocol.csv"))); // "model" value holds a comma
        Assert.True(File.Exists(dir.File("top.csv")));
        Assert.True(File.Exists(dir.File("improvement.csv")));
    }

    [Fact]
    public void Given_a_study_When_written_as_latex_Then_fragments_are_balanced_and_escaped()
    {
        var (_, s, all) = TwoStudies();
        using var dir = new TempDir();
        ReportWriter.Write(s, all, ReportFormat.Latex, dir.Path, [], topK: 10);
        string tex = File.ReadAllText(dir.File("report.tex"));
        Assert.DoesNotContain("\\documentclass", tex);
        Assert.Equal(Count(tex, "\\begin{tabular}"), Count(tex, "\\end{tabular}"));
        Assert.Equal(Count(tex, "\\begin{table}"), Count(tex, "\\end{table}"));
        Assert.Contains("wanda-sp", tex);
        Assert.Contains("flap-wifv-al-am-bias", tex);
        Assert.Contains("50\\%", tex);
        Assert.DoesNotContain("search_ppl", tex);
    }

    [Fact]
    public void Given_a_study_When_written_as_json_Then_it_parses_and_carries_the_improvement()
    {
        var (_, s, all) = TwoStudies();
        using var dir = new TempDir();
        ReportWriter.Write(s, all, ReportFormat.Json, dir.Path, [], topK: 10);
        using var doc = JsonDocument.Parse(File.ReadAllText(dir.File("report.json")));
        var root = doc.RootElement;
        Assert.Equal("s20", root.GetProperty("study").GetString());
        Assert.Equal(0.05, root.GetProperty("improvement").GetProperty("test_gain").GetDouble(), 12);
        Assert.Equal(4, root.GetProperty("plots").GetArrayLength());
        Assert.Contains(root.GetProperty("tables").EnumerateArray(), t => t.GetProperty("id").GetString() == "summary");
    }

    [Fact]
    public void Given_published_rows_When_reported_Then_measured_values_and_differences_sit_beside_them()
    {
        var (_, s, _) = TwoStudies();
        var table = ReportTables.Published(s, [
            new PublishedRow("Wanda-sp", "LLaMA-7B", 0.2, "wikitext2", 128, 22.12, "FLAP", "wanda-sp"),
            new PublishedRow("FLAP", "LLaMA-7B", 0.5, "wikitext2", 128, 31.80, "FLAP", "flap-wifv-al-am-bias"),
            new PublishedRow("dense", "LLaMA-7B", 0.0, "wikitext2", 128, 12.62, "FLAP"),
        ]);
        Assert.Equal("10.4000", table.Rows[0][6]);
        Assert.Equal("-11.72", table.Rows[0][8]);
        Assert.Equal("not run here", table.Rows[1][6]); // other ratio
        Assert.Equal("not run here", table.Rows[2][6]); // reference only
    }

    [Fact]
    public void Given_points_When_the_pareto_front_is_taken_Then_only_non_dominated_points_remain_in_parameter_order()
    {
        var front = ParetoPlot.Front([(100, 12), (90, 15), (100, 11), (120, 11.5), (80, 20), (85, 25)]);
        Assert.Equal([(80.0, 20.0), (90.0, 15.0), (100.0, 11.0)], front);
    }

    [Fact]
    public void Given_two_studies_When_compared_Then_each_column_is_a_study_best_searched_trial()
    {
        var (_, s, all) = TwoStudies();
        var table = CompareTable.Build([new("s20", s, s.BestSearched), new("s50", all[1], all[1].BestSearched)]);
        Assert.Equal(["field", "s20", "s50"], table.Headers);
        var test = table.Rows.Single(r => r[0] == "test ppl");
        Assert.Equal(["test ppl", "9.8800", "19.7600"], test);
        Assert.Equal("0.5", table.Rows.Single(r => r[0] == "target ratio")[2]);
    }

    private static int Count(string s, string what) => (s.Length - s.Replace(what, "").Length) / what.Length;
}

using Search.Optimization.Storage;
using Search.Reporting.Tables;

namespace Search.Reporting.Tests;

public sealed class ReportInputTests
{
    [Fact]
    public void Given_an_unknown_study_When_loaded_Then_one_line_error_lists_the_known_ones()
    {
        var storage = new InMemoryStorage();
        SyntheticStudy.Create(storage, "s20");
        var e = Assert.Throws<ReportInputException>(() => StudyData.Load(storage, "nope", "file.db"));
        Assert.Equal("file.db: no study named 'nope' (studies: s20)", e.Message);
    }

    [Fact]
    public void Given_a_study_without_trials_When_loaded_Then_it_is_an_error()
    {
        var storage = new InMemoryStorage();
        SyntheticStudy.Create(storage, "empty", withTrials: false);
        var e = Assert.Throws<ReportInputException>(() => StudyData.Load(storage, "empty", "file.db"));
        Assert.Contains("has no trials yet", e.Message);
    }

    [Fact]
    public void Given_a_missing_trial_number_When_asked_Then_the_error_names_the_range()
    {
        var storage = new InMemoryStorage();
        SyntheticStudy.Create(storage, "s20");
        var data = StudyData.Load(storage, "s20", "file.db");
        var e = Assert.Throws<ReportInputException>(() => data.TrialByDisplayNumber(42));
        Assert.Equal("study 's20' has no trial 42 (trials 1..5)", e.Message);
    }

    [Fact]
    public void Given_an_output_folder_under_a_file_When_writing_Then_it_is_not_writable()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("plain.txt"), "");
        var e = Assert.Throws<ReportInputException>(() => ReportWriter.EnsureWritable(Path.Combine(dir.File("plain.txt"), "out")));
        Assert.StartsWith($"output folder {dir.File("plain.txt")}/out is not writable", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void Given_an_unknown_format_When_parsed_Then_the_error_lists_the_formats()
    {
        var e = Assert.Throws<ReportInputException>(() => ReportFormats.Parse("docx"));
        Assert.Contains("md, csv, latex or json", e.Message);
    }

    [Fact]
    public void Given_the_repository_experiments_When_loaded_Then_each_parses_and_the_llama_rows_match_methods_md()
    {
        string root = AppContext.BaseDirectory;
        while (!Directory.Exists(Path.Combine(root, "experiments")) || !File.Exists(Path.Combine(root, "Search.sln")))
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("repository root not found");
        var specs = Directory.GetFiles(Path.Combine(root, "experiments"), "*.json").Select(Experiments.ExperimentSpec.Load).ToList();
        Assert.Contains(specs, s => s.Name == "embedded-20" && s.Runnable);
        var llama = specs.Single(s => s.Name == "llama7b-flap");
        Assert.False(llama.Runnable);
        Assert.Equal(14.62, llama.Published.Single(p => p.Model == "LLaMA-7B" && p.Ratio == 0.2 && p.Tag == "flap-wifv-al-am-bias").Ppl);
        Assert.Equal(366.43, llama.Published.Single(p => p.Method == "Wanda-sp" && p.Ratio == 0.5).Ppl);
        Assert.All(specs.Where(s => s.Runnable), s => Assert.True(File.Exists(Path.Combine(root, s.Space)), s.Space));
    }
}

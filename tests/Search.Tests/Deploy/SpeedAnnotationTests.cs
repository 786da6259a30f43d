using Search.Objective;
using Search.Optimization.Trials;
using Search.Records;
using Search.Tests.Cli;

namespace Search.Tests.Deploy;

/// <summary><c>search --speed --llama-cpp</c>: every finalist and baseline gets one post.speed record, written once, shown in the report.</summary>
[Collection(DeployCollection.Name)]
public sealed class SpeedAnnotationTests(TimedStudy study)
{
    [Fact]
    public void Given_search_with_speed_When_finalized_Then_every_finalist_and_baseline_has_both_runtimes_against_the_dense_model()
    {
        var trials = study.Trials();
        var finalists = StudyFinalizer.Finalists(trials, 1);
        Assert.Equal(12, finalists.Count); // quick.json's 11 baselines and the best searched
        foreach (var t in trials)
        {
            var record = AttrJson.Deserialize<TrialSpeed>(t.UserAttr(TrialAttrs.Speed));
            if (!finalists.Any(f => f.Number == t.Number))
            {
                Assert.Null(record);
                continue;
            }
            Assert.NotNull(record);
            Assert.Equal(new SpeedProtocolSummary(TimedStudy.PromptTokens, TimedStudy.NewTokens, 1, TimedStudy.Repeats, 0), record.Protocol);
            Assert.Equal(2, record.Threads);
            Assert.False(string.IsNullOrWhiteSpace(record.Machine.Cpu));
            Assert.True(record.Machine.LogicalCores > 0);
            Assert.StartsWith("TorchSharp", record.TorchSharp.Runtime);
            Assert.StartsWith("llama.cpp", record.LlamaCpp!.Runtime);
            foreach (var r in new[] { record.TorchSharp, record.LlamaCpp })
                foreach (var x in new[] { r.Model, r.Dense })
                    Assert.True(x.DecodeTokensPerSecond > 0 && x.PrefillTokensPerSecond > 0 && x.BestDecodeTokensPerSecond >= x.DecodeTokensPerSecond);
            Assert.Equal(record.TorchSharp.Model.DecodeTokensPerSecond / record.TorchSharp.Dense.DecodeTokensPerSecond, record.TorchSharp.DecodeSpeedup);
        }
        Assert.Contains("speed trial 1 [flap-wifv-al-am-bias]: TorchSharp decode", study.Search.Output);
    }

    [Fact]
    public void Given_a_timed_study_When_the_same_search_runs_again_Then_no_record_changes()
    {
        var before = study.Trials().Select(t => t.UserAttr(TrialAttrs.Speed)).ToList();
        var again = CliRun.Of(study.SearchArgs);
        Assert.True(again.ExitCode == 0, again.Error);
        Assert.DoesNotContain("speed trial", again.Output);
        Assert.Equal(before, study.Trials().Select(t => t.UserAttr(TrialAttrs.Speed)));
    }

    [Fact]
    public void Given_a_timed_study_When_reported_Then_the_speed_table_speedup_columns_and_speed_plot_are_written()
    {
        string outDir = Path.Combine(study.Dir, "report");
        var run = CliRun.Of("report", "--db", study.Db, "--study", TimedStudy.Study, "--out", outDir);
        Assert.True(run.ExitCode == 0, run.Error);
        string md = File.ReadAllText(Path.Combine(outDir, "report.md"));
        Assert.Contains("measured speed (batch 1, 16-token prompt, 8 new tokens", md);
        Assert.Contains("decode speedup (TorchSharp)", md);
        Assert.Contains("decode speedup (llama.cpp)", md);
        Assert.Contains("llama.cpp decode tok/s", md);
        Assert.Contains("![speed-pareto](speed-pareto.png)", md);
        Assert.True(new FileInfo(Path.Combine(outDir, "speed-pareto.png")).Length > 1000);
    }

    [Fact]
    public void Given_llama_cpp_without_speed_When_searching_Then_one_line_and_exit_2()
    {
        var run = CliRun.Of("search", "--space", CliRunner.Space("quick.json"), "--db", Path.Combine(study.Dir, "other.db"), "--llama-cpp");
        Assert.Equal(CliRun.UserError, run.ExitCode);
        Assert.Equal("error: --llama-cpp needs --speed", run.Error.Trim());
        Assert.False(File.Exists(Path.Combine(study.Dir, "other.db")));
    }
}

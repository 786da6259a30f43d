using System.Text.Json;
using Search.Runtime.LlamaCpp;
using Search.Tests.Cli;

namespace Search.Tests.Deploy;

/// <summary><c>bench</c> on a model folder (and against a dense one), in TorchSharp and llama.cpp; <c>prune --format gguf</c>.</summary>
[Collection(DeployCollection.Name)]
public sealed class BenchCliTests(TimedStudy study)
{
    private static readonly string[] Small = ["--prompt-tokens", "16", "--new-tokens", "8", "--repeats", "2", "--threads", "2"];

    private string PrunedFolder()
    {
        string dir = Path.Combine(study.Dir, "bench-pruned");
        if (!File.Exists(Path.Combine(dir, "config.json")))
        {
            var export = CliRun.Of("export", "--db", study.Db, "--study", TimedStudy.Study, "--format", "hf", "--out", dir);
            Assert.True(export.ExitCode == 0, export.Error);
        }
        return dir;
    }

    [Fact]
    public void Given_a_pruned_folder_and_the_dense_model_When_benched_as_json_Then_both_runtimes_both_models_and_speedups_are_reported()
    {
        var run = CliRun.Of(["bench", "--model", PrunedFolder(), "--dense", "embedded", "--llama-cpp", "--json", .. Small]);
        var doc = run.Json();
        Assert.Equal("embedded", doc.GetProperty("measurements")[1].GetProperty("model").GetString());
        var measurements = doc.GetProperty("measurements").EnumerateArray().ToList();
        Assert.Equal(4, measurements.Count);
        Assert.Equal(["bench-pruned", "embedded", "bench-pruned", "embedded"], measurements.Select(m => m.GetProperty("model").GetString()));
        Assert.All(measurements, m =>
        {
            Assert.Equal(2, m.GetProperty("threads").GetInt32());
            Assert.Equal(2, m.GetProperty("decode_seconds").GetArrayLength());
            Assert.Equal(8, m.GetProperty("generated_tokens").GetArrayLength());
            Assert.True(m.GetProperty("decode_tokens_per_second").GetDouble() > 0);
            Assert.False(string.IsNullOrEmpty(m.GetProperty("machine").GetProperty("cpu_model").GetString()));
        });
        Assert.StartsWith("TorchSharp", measurements[0].GetProperty("runtime").GetString());
        Assert.StartsWith("llama.cpp", measurements[2].GetProperty("runtime").GetString());
        var speedups = doc.GetProperty("speedups").EnumerateArray().ToList();
        Assert.Equal(2, speedups.Count);
        double expected = measurements[0].GetProperty("decode_tokens_per_second").GetDouble() / measurements[1].GetProperty("decode_tokens_per_second").GetDouble();
        Assert.Equal(expected, speedups[0].GetProperty("decode").GetDouble(), 12);
        Assert.Equal(16, doc.GetProperty("protocol").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public void Given_llama_cpp_that_does_not_load_When_benched_Then_TorchSharp_is_measured_with_one_warning_line()
    {
        var run = CliRun.With(null, new Dictionary<string, string> { [LlamaCppRuntime.LibraryVariable] = "/nonexistent/libllama.so" },
            ["bench", "--model", "embedded", "--llama-cpp", "--json", .. Small]);
        Assert.True(run.ExitCode == 0, run.Error);
        var warning = Assert.Single(run.Error.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("warning: llama.cpp did not load", warning);
        using var doc = JsonDocument.Parse(run.Output);
        var m = Assert.Single(doc.RootElement.GetProperty("measurements").EnumerateArray());
        Assert.StartsWith("TorchSharp", m.GetProperty("runtime").GetString());
    }

    [Fact]
    public void Given_zero_repeats_When_benched_Then_one_line_and_exit_2()
    {
        var run = CliRun.Of("bench", "--model", "embedded", "--repeats", "0");
        Assert.Equal(CliRun.UserError, run.ExitCode);
        Assert.Single(run.Error.TrimEnd('\n').Split('\n'));
        Assert.Contains("repeats ≥ 1", run.Error);
    }

    [Fact]
    public void Given_prune_with_format_gguf_When_run_Then_llama_cpp_loads_the_pruned_file()
    {
        string path = Path.Combine(study.Dir, "pruned.gguf");
        var run = CliRun.Of("prune", "--ratio", "0.5", "--out", path, "--format", "gguf", "--gguf-dtype", "f16", "--json", "--threads", "2",
            "--calib", "synthetic:train:16x64:seed0", "--eval", "synthetic:valid:64");
        var report = run.Json();
        Assert.EndsWith("pruned.gguf", report.GetProperty("out").GetString());
        using var gguf = LlamaCppModel.Load(path, 16, 2);
        Assert.Equal("f16", gguf.WeightType);
        Assert.Equal("deci", gguf.Architecture); // AL-AM at 50% gives different widths per layer
    }
}

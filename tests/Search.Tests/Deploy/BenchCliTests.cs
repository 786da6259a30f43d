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

    [Fact]
    public void Given_bench_with_quant_q8_0_When_run_Then_llama_cpp_times_q8_0_files_of_both_models_and_reports_their_sizes()
    {
        var run = CliRun.Of(["bench", "--model", PrunedFolder(), "--dense", "embedded", "--llama-cpp", "--quant", "q8_0", "--json", .. Small]);
        var llama = run.Json().GetProperty("measurements").EnumerateArray().Where(m => m.GetProperty("runtime").GetString()!.StartsWith("llama.cpp")).ToList();
        Assert.Equal(2, llama.Count);
        Assert.All(llama, m => Assert.Contains("q8_0 weights", m.GetProperty("runtime").GetString()));
        long pruned = llama[0].GetProperty("file_bytes").GetInt64(), dense = llama[1].GetProperty("file_bytes").GetInt64();
        Assert.True(pruned < dense, $"pruned {pruned} bytes, dense {dense}");
        // q8_0 stores ~8.5 bits a weight: the dense file is well under half its f32 size (4 bytes a parameter).
        Assert.True(dense < 2L * 348_000, $"dense q8_0 file {dense} bytes");

        var refused = CliRun.Of("bench", "--model", "embedded", "--quant", "q8_0");
        Assert.Equal(CliRun.UserError, refused.ExitCode);
        Assert.Contains("--quant sets the weights llama.cpp is timed on and needs --llama-cpp", refused.Error);
    }

    [Fact]
    public void Given_prune_with_quant_and_width_multiple_32_When_run_Then_no_ffn_down_falls_back_and_the_q8_0_file_scores_like_the_f32_one()
    {
        string path = Path.Combine(study.Dir, "pruned-q8.gguf");
        var report = CliRun.Of("prune", "--ratio", "0.5", "--structure", "al-am-exact", "--width-multiple", "32", "--out", path, "--format", "gguf",
            "--quant", "q8_0", "--json", "--threads", "2", "--calib", "synthetic:train:16x64:seed0", "--eval", "synthetic:valid:64").Json();
        Assert.All(report.GetProperty("layers").EnumerateArray(), l => Assert.Equal(0, l.GetProperty("channels_after").GetInt32() % 32));
        var q = report.GetProperty("quantization");
        Assert.Equal("q8_0", q.GetProperty("type").GetString());
        // The embedded model's heads are 8 wide: attn_output rows of an odd KV-group count may fall back; ffn_down never.
        Assert.DoesNotContain(q.GetProperty("fallbacks").EnumerateArray(), f => f.GetProperty("name").GetString()!.EndsWith("ffn_down.weight"));
        var ppl = q.GetProperty("perplexity");
        Assert.True(ppl.GetProperty("passed").GetBoolean(), ppl.ToString());
        // The f32 source in llama.cpp scores what our evaluator scored on the same windows.
        Assert.Equal(report.GetProperty("pruned_ppl").GetDouble(), ppl.GetProperty("f32").GetDouble(), 1e-3 * report.GetProperty("pruned_ppl").GetDouble());
        using var gguf = LlamaCppModel.Load(path, 16, 2);
        Assert.Equal("q8_0", gguf.WeightType);
        Assert.False(File.Exists(Path.Combine(study.Dir, "pruned-q8.f32-source.gguf")), "the f32 source is a temporary");
    }
}

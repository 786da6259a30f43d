using Search.Model;
using Search.Model.Export;
using Search.Model.Speed;
using Search.Runtime.LlamaCpp;
using Search.Tests.Data;
using Search.Tests.Pruning;

namespace Search.Tests.Export;

/// <summary>
/// The speed benchmark runs the same greedy generation in both runtimes: with llama.cpp in exact
/// mode the generated tokens must be identical, and every field of the record must be filled.
/// Speeds themselves are not asserted (they depend on the machine and its load).
/// </summary>
[Collection(PruningCollection.Name)]
public sealed class SpeedBenchmarkTests
{
    private static readonly SpeedProtocol Small = new(PromptTokens: 16, NewTokens: 8, Warmup: 1, Repeats: 3, Threads: 2);

    [Fact]
    public void Given_a_pruned_model_and_its_GGUF_When_measured_interleaved_Then_both_runtimes_generate_the_same_tokens_and_report_every_field()
    {
        using var pruned = PrunedModels.Flap(EmbeddedModel.Model, EmbeddedModel.Windows(8, 64, seed: 50), 8, 64, 0.5);
        using var tmp = new TempFolder();
        string path = Path.Combine(tmp.Path, "p.gguf");
        GgufWriter.Write(pruned, EmbeddedModel.Dir, path, GgufFileType.F32);
        int capacity = Small.PromptTokens + Small.NewTokens;
        using var torchRunner = new TorchDecodeRunner(pruned, capacity, Small.Threads);
        using var llamaRunner = new LlamaCppDecodeRunner(path, capacity, Small.Threads, LlamaCppPrecision.Exact);
        var results = SpeedBenchmark.Measure([torchRunner, llamaRunner], "embedded-50", pruned.Config.VocabSize, Small);

        Assert.Equal(2, results.Count);
        Assert.Equal(results[0].GeneratedTokens, results[1].GeneratedTokens);
        Assert.Equal(Small.NewTokens, results[0].GeneratedTokens.Count);
        Assert.StartsWith("TorchSharp", results[0].Runtime);
        Assert.StartsWith("llama.cpp", results[1].Runtime);
        Assert.All(results, r =>
        {
            Assert.Equal("embedded-50", r.Model);
            Assert.Equal(2, r.Threads);
            Assert.Equal(Small.Repeats, r.PrefillSeconds.Count);
            Assert.Equal(Small.Repeats, r.DecodeSeconds.Count);
            Assert.True(r.PrefillTokensPerSecond > 0 && double.IsFinite(r.PrefillTokensPerSecond));
            Assert.True(r.DecodeTokensPerSecond > 0 && double.IsFinite(r.DecodeTokensPerSecond));
            Assert.False(string.IsNullOrWhiteSpace(r.Machine.CpuModel));
            Assert.True(r.Machine.LogicalCores > 0);
        });
        // Median of the timed runs: tokens/s = count / median seconds; best = count / fastest.
        var sorted = results[0].DecodeSeconds.Order().ToList();
        Assert.Equal(Small.NewTokens / sorted[1], results[0].DecodeTokensPerSecond, 9);
        Assert.Equal(Small.NewTokens / sorted[0], results[0].BestDecodeTokensPerSecond, 9);
        Assert.Equal(Small.PromptTokens / results[1].PrefillSeconds.Min(), results[1].BestPrefillTokensPerSecond, 9);
    }

    [Fact]
    public void Given_the_one_call_APIs_When_measuring_Then_each_returns_a_record_for_its_runtime()
    {
        using var tmp = new TempFolder();
        string path = Path.Combine(tmp.Path, "d.gguf");
        GgufWriter.Write(EmbeddedModel.Model, EmbeddedModel.Dir, path, GgufFileType.F16);
        var torch = SpeedBenchmark.MeasureTorch(EmbeddedModel.Model, "embedded", Small);
        var llama = LlamaCppSpeed.Measure(path, "embedded", Small);
        Assert.Contains("float32", torch.Runtime);
        Assert.Contains("f16 weights", llama.Runtime);
        Assert.Contains("f16 KV cache", llama.Runtime);
        Assert.Equal(Small.NewTokens, llama.GeneratedTokens.Count);
    }

    [Fact]
    public void Given_a_protocol_without_new_tokens_When_measuring_Then_it_is_refused()
    {
        var e = Assert.Throws<UserInputException>(() => SpeedBenchmark.MeasureTorch(EmbeddedModel.Model, "x", Small with { NewTokens = 0 }));
        Assert.Contains("new tokens ≥ 1", e.Message);
    }
}

using Search.Model.Export;
using Search.Model.Speed;
using Search.Runtime.LlamaCpp;
using Search.Tests.Pruning;

namespace Search.Tests.Export;

/// <summary>
/// <see cref="SpeedMeter"/>: a model and the dense reference timed interleaved in both runtimes. With
/// llama.cpp in exact mode each runtime generates the same greedy tokens for the same model, so
/// the four measurements time the computations they claim to.
/// </summary>
[Collection(PruningCollection.Name)]
public sealed class SpeedMeterTests
{
    private static readonly SpeedProtocol Small = new(PromptTokens: 16, NewTokens: 8, Warmup: 1, Repeats: 2, Threads: 2);

    [Fact]
    public void Given_a_pruned_model_When_compared_with_the_dense_one_Then_each_runtime_times_both_and_generates_the_same_tokens()
    {
        using var pruned = PrunedModels.Flap(EmbeddedModel.Model, EmbeddedModel.Windows(8, 64, seed: 51), 8, 64, 0.5);
        using var meter = new SpeedMeter(EmbeddedModel.Model, "dense", EmbeddedModel.Dir, Small, LlamaCppSpeed.Runners(LlamaCppPrecision.Exact));
        var c = meter.Compare(pruned, "pruned");
        var again = meter.Compare(pruned, "pruned again"); // the reference GGUF is reused, the model's rewritten
        Assert.Equal(["pruned", "dense", "pruned", "dense"], new[] { c.TorchSharp, c.TorchSharpReference, c.LlamaCpp!, c.LlamaCppReference! }.Select(m => m.Model));
        Assert.Equal(c.TorchSharp.GeneratedTokens, c.LlamaCpp!.GeneratedTokens);
        Assert.Equal(c.TorchSharpReference.GeneratedTokens, c.LlamaCppReference!.GeneratedTokens);
        Assert.Equal(c.TorchSharp.GeneratedTokens, again.LlamaCpp!.GeneratedTokens);
        Assert.All(new[] { c.TorchSharp, c.TorchSharpReference, c.LlamaCpp, c.LlamaCppReference }, m =>
        {
            Assert.Equal(Small.Repeats, m.DecodeSeconds.Count);
            Assert.Equal(2, m.Threads);
        });
        Assert.StartsWith("llama.cpp", c.LlamaCpp.Runtime);

        var (torch, llama) = meter.MeasureReference();
        Assert.Equal(c.TorchSharpReference.GeneratedTokens, torch.GeneratedTokens);
        Assert.Equal(torch.GeneratedTokens, llama!.GeneratedTokens);
    }

    [Fact]
    public void Given_no_llama_cpp_When_compared_Then_only_TorchSharp_is_measured()
    {
        using var meter = new SpeedMeter(EmbeddedModel.Model, "dense", EmbeddedModel.Dir, Small, null);
        var c = meter.Compare(EmbeddedModel.Model, "same");
        Assert.Null(c.LlamaCpp);
        Assert.Null(c.LlamaCppReference);
        Assert.Equal(c.TorchSharp.GeneratedTokens, c.TorchSharpReference.GeneratedTokens);
    }

    [Fact]
    public void Given_a_q4_k_m_writer_When_compared_Then_llama_cpp_times_q4_k_m_files_of_both_models_and_the_record_keeps_their_sizes()
    {
        using var pruned = PrunedModels.Flap(EmbeddedModel.Model, EmbeddedModel.Windows(8, 64, seed: 52), 8, 64, 0.5);
        var writer = LlamaCppSpeed.Writer(GgufWeights.Parse("q4_k_m", "test"), threads: 2);
        using var meter = new SpeedMeter(EmbeddedModel.Model, "dense", EmbeddedModel.Dir, Small, LlamaCppSpeed.Runners(), writer);
        var c = meter.Compare(pruned, "pruned");
        Assert.Contains("q4_k_m weights", c.LlamaCpp!.Runtime);
        Assert.Contains("q4_k_m weights", c.LlamaCppReference!.Runtime);
        Assert.Null(c.TorchSharp.FileBytes);
        Assert.True(c.LlamaCpp.FileBytes < c.LlamaCppReference.FileBytes, $"{c.LlamaCpp.FileBytes} vs {c.LlamaCppReference.FileBytes}");
        // q4_k_m of a 348K-parameter model: well under its 1.4 MB of f32 weights.
        Assert.InRange(c.LlamaCppReference.FileBytes!.Value, 100_000, 700_000);
        var record = Search.Objective.TrialSpeeds.From(c, DateTime.UtcNow);
        Assert.Equal((c.LlamaCpp.FileBytes, c.LlamaCppReference.FileBytes), (record.LlamaCpp!.ModelBytes, record.LlamaCpp.DenseBytes));
        Assert.Null(record.TorchSharp.ModelBytes);
        // Stored records without sizes read back as before: the JSON of a TorchSharp-only runtime has no size keys.
        Assert.DoesNotContain("bytes", Search.Records.AttrJson.Serialize(record.TorchSharp));
    }
}

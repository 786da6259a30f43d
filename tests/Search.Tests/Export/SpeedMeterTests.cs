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
}

using Search.Model;
using Search.Model.Export;
using Search.Runtime.LlamaCpp;
using Search.Tests.Data;
using Search.Tests.Pruning;
using Xunit.Abstractions;

namespace Search.Tests.Export;

/// <summary>
/// stories260K exported to GGUF and run by a real llama.cpp (LLamaSharp 0.30.0's CPU build): logits
/// on a fixed prompt and perplexity on fixed WikiText-2 windows must match our forward.
/// Tolerances: f32 max |Δlogit| &lt; 1e-3 and relative ppl difference &lt; 1e-3 (the bar; both
/// runtimes compute in float32 with different summation orders); f16 weights max |Δlogit| &lt; 0.05
/// and relative ppl difference &lt; 1e-3 (rounding every weight to 11 significant bits moves logits by ~1e-2,
/// perplexity by ~2e-5 here). llama.cpp runs with an f32 KV cache and flash attention off
/// (<see cref="LlamaCppPrecision.Exact"/>): its CPU flash attention alone costs 1e-2 in the logits.
/// </summary>
[Collection(PruningCollection.Name)]
public sealed class GgufStoriesLlamaCppTests(ITestOutputHelper output)
{
    private const int SeqLen = 128;
    private const double F32Logits = 1e-3, F32Ppl = 1e-3, F16Logits = 5e-2, F16Ppl = 1e-3;

    public static TheoryData<GgufFileType> FileTypes() => new() { GgufFileType.F32, GgufFileType.F16 };

    [SharedTheory]
    [MemberData(nameof(FileTypes))]
    public void Given_dense_stories260K_When_exported_to_GGUF_Then_llama_cpp_reproduces_our_logits_and_perplexity(GgufFileType type)
    {
        var model = Stories260KFixture.Model;
        Assert.Equal(GgufWriter.LlamaArchitecture, GgufWriter.ArchitectureFor(model.Config));
        AssertParity(model, type, "dense", GgufWriter.LlamaArchitecture);
    }

    [SharedTheory]
    [MemberData(nameof(FileTypes))]
    public void Given_stories260K_pruned_50_percent_with_FLAP_biases_When_exported_Then_llama_cpp_deci_reproduces_it(GgufFileType type)
    {
        using var pruned = PrunedModels.Flap(Stories260KFixture.Model, Stories260KFixture.Calibration,
            Stories260KFixture.CalibrationWindows, Stories260KFixture.SeqLen, 0.5);
        var widths = pruned.Config.Layers;
        Assert.True(widths.Select(l => l.IntermediateSize).Distinct().Count() > 1, "AL-AM should give non-uniform MLP widths");
        Assert.True(widths.Select(l => l.NumKvHeads).Distinct().Count() > 1, "AL-AM should give non-uniform KV-group counts");
        Assert.Contains(pruned.Layers, l => l.OBias is not null);
        Assert.Contains(pruned.Layers, l => l.DownBias is not null);
        AssertParity(pruned, type, "pruned-50", GgufWriter.DeciArchitecture);
    }

    [SharedFact]
    public void Given_stories260K_with_removed_blocks_When_exported_Then_llama_cpp_reproduces_it_exactly_as_ours()
    {
        // Layer 0 loses its attention (llama.cpp would then read head size 0), layer 2 its MLP
        // (llama.cpp's deci graph would drop that layer's attention), layer 4 everything.
        using var pruned = PrunedModels.Flap(Stories260KFixture.Model, Stories260KFixture.Calibration,
            Stories260KFixture.CalibrationWindows, Stories260KFixture.SeqLen, 0.5, dropAttention: 0, dropMlp: 2);
        using var fully = PrunedModels.Flap(pruned, Stories260KFixture.Calibration, 16, Stories260KFixture.SeqLen, 0.0,
            dropAttention: 4, dropMlp: 4);
        Assert.Equal(0, fully.Config.Layers[0].NumHeads);
        Assert.Equal(0, fully.Config.Layers[2].IntermediateSize);
        Assert.True(fully.Config.Layers[4] is { NumHeads: 0, IntermediateSize: 0 });
        Assert.NotNull(fully.Layers[0].OBias);
        AssertParity(fully, GgufFileType.F32, "removed-blocks", GgufWriter.DeciArchitecture);
    }

    [SharedFact]
    public void Given_the_stories_tokenizer_When_llama_cpp_tokenizes_with_the_exported_vocabulary_Then_it_gives_our_ids()
    {
        using var tmp = new TempFolder();
        string path = Path.Combine(tmp.Path, "dense.gguf");
        GgufWriter.Write(Stories260KFixture.Model, SharedAssets.Stories260K, path, GgufFileType.F32);
        using var gguf = LlamaCppModel.Load(path, SeqLen, LlamaCppParity.Threads);
        var prompt = SharedAssets.ReferenceOutputs().GetProperty("prompt");
        var expected = prompt.GetProperty("token_ids_with_bos").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(expected, gguf.Tokenize(prompt.GetProperty("text").GetString()!, addBos: true));
    }

    private void AssertParity(Transformer model, GgufFileType type, string name, string architecture)
    {
        using var tmp = new TempFolder();
        string path = Path.Combine(tmp.Path, $"{name}.gguf");
        GgufWriter.Write(model, SharedAssets.Stories260K, path, type);
        using var gguf = LlamaCppModel.Load(path, SeqLen, LlamaCppParity.Threads);
        Assert.Equal(architecture, gguf.Architecture);

        var prompt = SharedAssets.ReferenceOutputs().GetProperty("prompt").GetProperty("token_ids_with_bos")
            .EnumerateArray().Select(e => (long)e.GetInt32()).ToArray();
        double logits = LlamaCppParity.MaxLogitDifference(model, gguf, prompt);

        var windows = ParityCorpus.WikiTextWindows(SharedAssets.Stories260K, SeqLen, 64, out int count);
        double ours = LlamaCppParity.OurPerplexity(model, windows, count, SeqLen);
        double theirs = gguf.Perplexity(windows, count, SeqLen);
        double rel = LlamaCppParity.RelativeDifference(theirs, ours);
        output.WriteLine($"{name} {type}: max |Δlogit| {logits:E2} on {prompt.Length} prompt tokens; " +
                         $"WikiText-2 ppl ours {ours:F5} llama.cpp {theirs:F5} (rel {rel:E2}, {count}×{SeqLen})");
        (double maxLogit, double maxPpl) = type == GgufFileType.F32 ? (F32Logits, F32Ppl) : (F16Logits, F16Ppl);
        Assert.True(logits < maxLogit, $"{name} {type}: max |Δlogit| = {logits}");
        Assert.True(rel < maxPpl, $"{name} {type}: ppl ours {ours}, llama.cpp {theirs}");
    }
}

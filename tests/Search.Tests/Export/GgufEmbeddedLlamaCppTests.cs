using Search.Model;
using Search.Training.Embedded;
using Search.Model.Export;
using Search.Model.Tokenizers;
using Search.Runtime.LlamaCpp;
using Search.Tests.Data;
using Search.Tests.Pruning;
using Xunit.Abstractions;

namespace Search.Tests.Export;

/// <summary>
/// GGUF round trips through llama.cpp on the embedded default model (no ../shared needed): dense
/// as llama, pruned with every kind of removed block as deci. f32 weights, llama.cpp in exact mode;
/// bar max |Δlogit| &lt; 1e-3, relative ppl difference &lt; 1e-3 (measured ~1e-5 and ~1e-7).
/// </summary>
[Collection(PruningCollection.Name)]
public sealed class GgufEmbeddedLlamaCppTests(ITestOutputHelper output)
{
    private const int SeqLen = 64;

    [Fact]
    public void Given_the_dense_embedded_model_When_exported_Then_llama_cpp_reproduces_its_logits_perplexity_and_tokens()
    {
        using var tmp = new TempFolder();
        string path = Path.Combine(tmp.Path, "dense.gguf");
        GgufWriter.Write(EmbeddedModel.Model, EmbeddedModel.Dir, path, GgufFileType.F32);
        using var gguf = LlamaCppModel.Load(path, SeqLen, LlamaCppParity.Threads);
        Assert.Equal(GgufWriter.LlamaArchitecture, gguf.Architecture);
        AssertParity(EmbeddedModel.Model, gguf, "dense");

        // llama.cpp's SentencePiece tokenizer ignores remove_extra_whitespaces (ours applies it), so
        // the check uses text that has no leading, trailing or repeated spaces.
        string sentence = string.Join(' ', File.ReadAllLines(ValidText()).First(l => l.Trim().Length > 40)
            .Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var ours = TokenizerLoader.Load(EmbeddedModel.Dir).Encode(sentence);
        Assert.Equal([1, .. ours], gguf.Tokenize(sentence, addBos: true));
    }

    [Fact]
    public void Given_a_pruned_model_with_every_kind_of_removed_block_When_exported_Then_llama_cpp_reproduces_it()
    {
        using var pruned = RemovedBlocks();
        using var tmp = new TempFolder();
        string path = Path.Combine(tmp.Path, "pruned.gguf");
        GgufWriter.Write(pruned, EmbeddedModel.Dir, path, GgufFileType.F32);
        using var gguf = LlamaCppModel.Load(path, SeqLen, LlamaCppParity.Threads);
        Assert.Equal(GgufWriter.DeciArchitecture, gguf.Architecture);
        AssertParity(pruned, gguf, "removed blocks");
    }

    [Fact]
    public void Given_a_uniformly_pruned_model_with_biases_When_exported_Then_it_is_plain_llama_and_llama_cpp_adds_the_biases()
    {
        using var pruned = PrunedModels.Flap(EmbeddedModel.Model, EmbeddedModel.Windows(8, SeqLen, seed: 13), 8, SeqLen, 0.5, uniform: true);
        Assert.Single(pruned.Config.Layers.Distinct());
        Assert.All(pruned.Layers, l => Assert.True(l.OBias is not null && l.DownBias is not null));
        using var tmp = new TempFolder();
        string path = Path.Combine(tmp.Path, "uniform.gguf");
        GgufWriter.Write(pruned, EmbeddedModel.Dir, path, GgufFileType.F32);
        using var gguf = LlamaCppModel.Load(path, SeqLen, LlamaCppParity.Threads);
        Assert.Equal(GgufWriter.LlamaArchitecture, gguf.Architecture);
        AssertParity(pruned, gguf, "uniform 50%");
    }

    /// <summary>
    /// Why an empty MLP next to a live attention is written as one zero channel: with
    /// feed_forward_length 0, llama.cpp's deci graph skips the layer's residual update, so the
    /// attention output is lost. If this test fails, llama.cpp fixed that and the workaround can go.
    /// </summary>
    [Fact]
    public void Given_feed_forward_length_0_next_to_a_live_attention_When_llama_cpp_runs_it_Then_that_attention_is_lost()
    {
        using var pruned = RemovedBlocks();
        using var tmp = new TempFolder();
        string exact = Path.Combine(tmp.Path, "exact.gguf"), zero = Path.Combine(tmp.Path, "zero.gguf");
        GgufWriter.Write(pruned, EmbeddedModel.Dir, exact, GgufFileType.F32);
        GgufWriter.Write(pruned, EmbeddedModel.Dir, zero, GgufFileType.F32, new GgufLayoutOptions(EmptyMlpAsZeroChannel: false));
        // Layer 3 (both blocks removed) is left out; emitted block 1 is layer 1, attention without MLP.
        Assert.Equal(3, FeedForward(exact).Length);
        Assert.Equal(1, FeedForward(exact)[1]);
        Assert.Equal(0, FeedForward(zero)[1]);
        var ids = EmbeddedModel.Windows(1, SeqLen, seed: 21);
        using var good = LlamaCppModel.Load(exact, SeqLen, LlamaCppParity.Threads);
        using var bad = LlamaCppModel.Load(zero, SeqLen, LlamaCppParity.Threads);
        double goodDiff = LlamaCppParity.MaxLogitDifference(pruned, good, ids);
        double badDiff = LlamaCppParity.MaxLogitDifference(pruned, bad, ids);
        output.WriteLine($"max |Δlogit|: one zero channel {goodDiff:E2}, feed_forward_length 0 {badDiff:E2}");
        Assert.True(goodDiff < 1e-3);
        Assert.True(badDiff > 0.1, $"feed_forward_length 0 gave max |Δlogit| {badDiff}: llama.cpp now keeps that attention");
    }

    /// <summary>
    /// Embedded model pruned at 40% (FLAP, bias compensation), then: layer 0 without attention
    /// (llama.cpp would read head size 0), layer 1 without MLP, layer 3 without either.
    /// </summary>
    internal static Transformer RemovedBlocks()
    {
        var dense = EmbeddedModel.Model;
        using var first = PrunedModels.Flap(dense, EmbeddedModel.Windows(8, SeqLen, seed: 11), 8, SeqLen, 0.4, dropAttention: 0, dropMlp: 1);
        var pruned = PrunedModels.Flap(first, EmbeddedModel.Windows(8, SeqLen, seed: 12), 8, SeqLen, 0.0, dropAttention: 3, dropMlp: 3);
        Assert.Equal(0, pruned.Config.Layers[0].NumHeads);
        Assert.Equal(0, pruned.Config.Layers[1].IntermediateSize);
        Assert.True(pruned.Config.Layers[3] is { NumHeads: 0, IntermediateSize: 0 });
        Assert.NotNull(pruned.Layers[0].OBias);
        Assert.NotNull(pruned.Layers[3].DownBias);
        return pruned;
    }

    internal static int[] FeedForward(string path) =>
        new GgufTestReader(path).Array("deci.feed_forward_length").Items.Select(o => (int)o).ToArray();

    private void AssertParity(Transformer model, LlamaCppModel gguf, string name)
    {
        double logits = LlamaCppParity.MaxLogitDifference(model, gguf, EmbeddedModel.Windows(1, SeqLen, seed: 20));
        var windows = TextWindows(SeqLen, 16, out int count);
        double ours = LlamaCppParity.OurPerplexity(model, windows, count, SeqLen);
        double theirs = gguf.Perplexity(windows, count, SeqLen);
        double rel = LlamaCppParity.RelativeDifference(theirs, ours);
        output.WriteLine($"{name}: max |Δlogit| {logits:E2}; ppl ours {ours:F5} llama.cpp {theirs:F5} (rel {rel:E2}, {count}×{SeqLen})");
        Assert.True(logits < 1e-3, $"{name}: max |Δlogit| = {logits}");
        Assert.True(rel < 1e-3, $"{name}: ppl ours {ours}, llama.cpp {theirs}");
    }

    /// <summary>The embedded corpus' valid text (first 20,000 characters), one BOS in front, cut into up to <paramref name="max"/> windows.</summary>
    internal static long[] TextWindows(int seqLen, int max, out int count)
    {
        var tokenizer = TokenizerLoader.Load(EmbeddedModel.Dir);
        var ids = new List<long> { tokenizer.BosId };
        ids.AddRange(tokenizer.Encode(File.ReadAllText(ValidText())[..20_000]).Select(i => (long)i));
        count = Math.Min(max, ids.Count / seqLen);
        return ids.Take(count * seqLen).ToArray();
    }

    private static string ValidText() =>
        Path.Combine(EmbeddedDefault.Ensure().DataDir, SyntheticLanguage.Folder, "valid.txt");
}

using Search.Model;
using Search.Tests.Export;
using Search.Tests.Pruning;
using static TorchSharp.torch;

namespace Search.Tests.Model;

/// <summary>
/// KV-cached decoding must be the same function as the full forward: prefill a prompt, then feed
/// one token (or a chunk) at a time, and compare each step's logits with the full forward's logits
/// at that position. float32 throughout; the only differences are summation order inside
/// attention, well under the stated 1e-4.
/// </summary>
[Collection(PruningCollection.Name)]
public sealed class KvCacheTests
{
    private const double Tolerance = 1e-4;

    [Fact]
    public void Given_a_dense_GQA_model_with_biases_When_decoding_with_the_cache_Then_every_step_equals_the_full_forward()
    {
        using var model = RandomModels.GqaWithBiases();
        AssertCachedEqualsFull(model, RandomModels.RandomWindows(model.Config.VocabSize, 2, 20, seed: 3), batch: 2, seqLen: 20);
    }

    [Fact]
    public void Given_a_pruned_model_with_removed_blocks_When_decoding_with_the_cache_Then_every_step_equals_the_full_forward()
    {
        using var dense = RandomModels.GqaWithBiases();
        using var pruned = PrunedModels.RandomWithRemovedBlocks(dense);
        Assert.Equal(0, pruned.Config.Layers[1].NumHeads);
        Assert.Equal(0, pruned.Config.Layers[2].IntermediateSize);
        Assert.NotNull(pruned.Layers[1].OBias); // the removed attention still adds its compensation
        AssertCachedEqualsFull(pruned, RandomModels.RandomWindows(dense.Config.VocabSize, 1, 20, seed: 4), batch: 1, seqLen: 20);
    }

    [SharedFact]
    public void Given_stories260K_dense_and_pruned_When_decoding_with_the_cache_Then_every_step_equals_the_full_forward()
    {
        var dense = Stories260KFixture.Model;
        var ids = Stories260KFixture.Eval.AsSpan(0, 64).ToArray();
        AssertCachedEqualsFull(dense, ids, batch: 1, seqLen: 64);
        using var pruned = PrunedModels.Flap(dense, Stories260KFixture.Calibration, 16, Stories260KFixture.SeqLen, 0.5,
            dropAttention: 2, dropMlp: 4);
        AssertCachedEqualsFull(pruned, ids, batch: 1, seqLen: 64);
    }

    [Fact]
    public void Given_a_full_cache_When_one_more_token_comes_Then_it_is_refused_and_clear_makes_room()
    {
        using var model = RandomModels.GqaWithBiases();
        using var noGrad = no_grad();
        using var cache = model.CreateKvCache(1, 4);
        using var ids = tensor(new long[] { 1, 2, 3, 4 }, [1, 4], ScalarType.Int64);
        using (model.ForwardCached(ids, cache)) { }
        Assert.Equal(4, cache.Length);
        using var one = tensor(new long[] { 5 }, [1, 1], ScalarType.Int64);
        Assert.Throws<ArgumentException>(() => model.ForwardCached(one, cache));
        cache.Clear();
        using var again = model.ForwardCached(ids, cache);
        using var full = model.Forward(ids);
        Assert.True((again - full).abs().max().item<float>() < Tolerance);
    }

    /// <summary>Prefill 8 tokens, one chunk of 3 (masked path), then single tokens to the end.</summary>
    private static void AssertCachedEqualsFull(Transformer model, long[] windows, int batch, int seqLen)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var ids = tensor(windows.AsSpan(0, batch * seqLen).ToArray(), [batch, seqLen], ScalarType.Int64);
        var full = model.Forward(ids);                                                // [B, T, V]
        using var cache = model.CreateKvCache(batch, seqLen);
        var steps = new List<(int Start, int Length)> { (0, 8), (8, 3) };
        for (int p = 11; p < seqLen; p++) steps.Add((p, 1));
        foreach (var (start, length) in steps)
        {
            var logits = model.ForwardCached(ids.narrow(1, start, length), cache);    // [B, length, V]
            double diff = (logits - full.narrow(1, start, length)).abs().max().item<float>();
            Assert.True(diff < Tolerance, $"positions {start}..{start + length - 1}: max |Δlogit| = {diff}");
        }
        Assert.Equal(seqLen, cache.Length);

        // lastOnly: the prompt's last position alone, as a generator asks for it.
        using var fresh = model.CreateKvCache(batch, seqLen);
        var last = model.ForwardCached(ids.narrow(1, 0, 8), fresh, lastOnly: true);   // [B, 1, V]
        Assert.Equal(1, last.shape[1]);
        Assert.True((last - full.narrow(1, 7, 1)).abs().max().item<float>() < Tolerance);
    }
}

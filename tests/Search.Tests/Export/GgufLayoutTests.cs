using Search.Model;
using Search.Model.Export;
using Search.Tests.Data;
using Search.Tests.Pruning;
using static TorchSharp.torch;

namespace Search.Tests.Export;

/// <summary>
/// The bytes of a GGUF export read back by an independent reader: v3 header, 32-byte alignment of
/// the data section and of every tensor, the exact file length, metadata types and values, ggml
/// dimension order, llama.cpp's q/k row order, folded biases and the zero blocks.
/// </summary>
[Collection(PruningCollection.Name)]
public sealed class GgufLayoutTests
{
    [Fact]
    public void Given_a_pruned_model_When_written_Then_the_file_is_GGUF_v3_with_aligned_tensors_and_the_exact_length()
    {
        using var pruned = GgufEmbeddedLlamaCppTests.RemovedBlocks();
        using var tmp = new TempFolder();
        foreach (var type in new[] { GgufFileType.F32, GgufFileType.F16 })
        {
            string path = Path.Combine(tmp.Path, $"{type}.gguf");
            GgufWriter.Write(pruned, EmbeddedModel.Dir, path, type);
            var gguf = new GgufTestReader(path);
            Assert.Equal(3u, gguf.Version);
            Assert.Equal(0, gguf.DataStart % 32);
            Assert.All(gguf.Tensors, t => Assert.Equal(0ul, t.Offset % 32));
            var last = gguf.Tensors.MaxBy(t => t.Offset)!;
            long lastBytes = last.Dims.Aggregate(1L, (p, d) => p * (long)d) * GgufTestReader.ElementSize(last.Type);
            Assert.Equal(gguf.DataStart + ((long)last.Offset + lastBytes + 31) / 32 * 32, gguf.FileLength);
            // Tensors do not overlap: each starts at or after the padded end of the one before it.
            var ordered = gguf.Tensors.OrderBy(t => t.Offset).ToList();
            for (int i = 1; i < ordered.Count; i++)
            {
                var prev = ordered[i - 1];
                long end = (long)prev.Offset + prev.Dims.Aggregate(1L, (p, d) => p * (long)d) * GgufTestReader.ElementSize(prev.Type);
                Assert.True((long)ordered[i].Offset >= end, $"{ordered[i].Name} overlaps {prev.Name}");
            }
            Assert.Equal((uint)type, gguf.Value<uint>("general.file_type"));
            // Matrices take the file type, vectors stay f32 (as llama.cpp's converter writes them).
            Assert.All(gguf.Tensors, t => Assert.Equal(t.Dims.Length == 1 ? 0u : (uint)type, t.Type));
        }
    }

    [Fact]
    public void Given_a_pruned_model_When_written_Then_metadata_arrays_shapes_rope_order_and_folded_biases_are_llama_cpp_s()
    {
        using var pruned = GgufEmbeddedLlamaCppTests.RemovedBlocks();
        using var tmp = new TempFolder();
        string path = Path.Combine(tmp.Path, "p.gguf");
        GgufWriter.Write(pruned, EmbeddedModel.Dir, path, GgufFileType.F32);
        var gguf = new GgufTestReader(path);
        var c = pruned.Config;
        int hd = c.HeadDim, d = c.HiddenSize;

        Assert.Equal("deci", gguf.Value<string>("general.architecture"));
        Assert.Equal(3u, gguf.Value<uint>("deci.block_count")); // layer 3 (empty) left out
        var heads = gguf.Array("deci.attention.head_count");
        Assert.Equal(5u, heads.ElementType); // INT32
        // Layer 0: one zero head (llama.cpp reads the head size from layer 0); layer 1, 2: their own.
        Assert.Equal(new[] { 1, c.Layers[1].NumHeads, c.Layers[2].NumHeads }, heads.Items.Select(o => (int)o));
        Assert.Equal(new[] { 1, c.Layers[1].NumKvHeads, c.Layers[2].NumKvHeads },
            gguf.Array("deci.attention.head_count_kv").Items.Select(o => (int)o));
        Assert.Equal(new[] { c.Layers[0].IntermediateSize, 1, c.Layers[2].IntermediateSize },
            gguf.Array("deci.feed_forward_length").Items.Select(o => (int)o));
        Assert.Equal((uint)hd, gguf.Value<uint>("deci.attention.key_length"));
        Assert.Equal((uint)hd, gguf.Value<uint>("deci.rope.dimension_count"));
        Assert.Equal("llama", gguf.Value<string>("tokenizer.ggml.model"));
        Assert.Equal(c.VocabSize, gguf.Array("tokenizer.ggml.tokens").Items.Count);

        // ggml dims are innermost first: o_proj [d, H·h] is written as ne = [H·h, d].
        int h1 = c.Layers[1].NumHeads;
        Assert.Equal(new ulong[] { (ulong)(h1 * hd), (ulong)d }, gguf.Tensors.Single(t => t.Name == "blk.1.attn_output.weight").Dims);

        // q rows of block 1 (= layer 1): new row head·h + 2j + k is our row head·h + k·h/2 + j.
        var q = gguf.Read("blk.1.attn_q.weight");
        var ours = pruned.Layers[1].QProj!.data<float>().ToArray();
        for (int head = 0; head < h1; head++)
            for (int j = 0; j < hd / 2; j++)
                for (int k = 0; k < 2; k++)
                    for (int col = 0; col < d; col++)
                        Assert.Equal(ours[(head * hd + k * hd / 2 + j) * d + col], q[(head * hd + 2 * j + k) * d + col]);

        // Zero blocks are exactly zero; the empty MLP's and empty layer's constants live on elsewhere.
        Assert.All(gguf.Read("blk.0.attn_output.weight"), v => Assert.Equal(0f, v));
        Assert.All(gguf.Read("blk.1.ffn_down.weight"), v => Assert.Equal(0f, v));
        Assert.DoesNotContain(gguf.Tensors, t => t.Name == "blk.0.attn_output.bias" || t.Name == "blk.1.ffn_down.bias");
        using var noGrad = no_grad();
        // Layer 0's removed attention has nothing before it: its bias shifts every token embedding,
        // and the head is written out because it no longer equals the (shifted) embedding.
        var shift = pruned.Layers[0].OBias!;
        var embd = tensor(gguf.Read("token_embd.weight"), [c.VocabSize, d]);
        Assert.True((embd - (pruned.Embedding + shift)).abs().max().item<float>() < 1e-6);
        Assert.Contains(gguf.Tensors, t => t.Name == "output.weight");
        // Layer 1's removed MLP adds its bias right after layer 1's attention: folded into attn_output.bias.
        var ob1 = tensor(gguf.Read("blk.1.attn_output.bias"));
        Assert.True((ob1 - (Or0(pruned.Layers[1].OBias, d) + pruned.Layers[1].DownBias!)).abs().max().item<float>() < 1e-6);
        // Layer 3 (both removed) adds both constants after layer 2's MLP.
        var db2 = tensor(gguf.Read("blk.2.ffn_down.bias"));
        var expected = Or0(pruned.Layers[2].DownBias, d) + pruned.Layers[3].OBias! + pruned.Layers[3].DownBias!;
        Assert.True((db2 - expected).abs().max().item<float>() < 1e-6);
    }

    /// <summary>A present block without compensation has no bias: zero.</summary>
    private static Tensor Or0(Tensor? bias, int d) => bias ?? zeros(d);

    [Fact]
    public void Given_the_dense_model_When_written_Then_it_is_plain_llama_with_scalar_widths_and_a_tied_or_written_head()
    {
        using var tmp = new TempFolder();
        string path = Path.Combine(tmp.Path, "d.gguf");
        GgufWriter.Write(EmbeddedModel.Model, EmbeddedModel.Dir, path, GgufFileType.F32);
        var gguf = new GgufTestReader(path);
        Assert.Equal("llama", gguf.Value<string>("general.architecture"));
        Assert.Equal((uint)EmbeddedModel.Model.Config.IntermediateSize, gguf.Value<uint>("llama.feed_forward_length"));
        Assert.Equal(4u, gguf.Metadata["llama.attention.head_count"].Type); // UINT32 scalar
        // The embedded model has an untied lm_head: it must be written.
        Assert.False(EmbeddedModel.Model.Config.TieWordEmbeddings);
        Assert.Contains(gguf.Tensors, t => t.Name == "output.weight");
        Assert.Equal(2 + 1 + 4 * 9, gguf.Tensors.Count); // embd, norm, head + 9 tensors per layer, no biases
    }
}

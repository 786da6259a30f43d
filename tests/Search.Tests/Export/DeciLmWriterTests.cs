using System.Text.Json.Nodes;
using Search.Model;
using Search.Model.Export;
using Search.Tests.Data;
using Search.Tests.Pruning;

namespace Search.Tests.Export;

/// <summary>
/// DeciLM / Nemotron-NAS export: the written block_configs against the layer widths, the tensors
/// against what vLLM's modules hold, the logits of the folder read with vLLM's semantics against the
/// compact model (max |Δlogit| &lt; 1e-5; zero heads and folded biases are exact), and every refusal.
/// </summary>
[Collection(PruningCollection.Name)]
public sealed class DeciLmWriterTests
{
    private const double Tolerance = 1e-5;

    [Fact]
    public void Given_a_model_pruned_in_its_MLPs_and_one_removed_MLP_When_written_Then_block_configs_carry_exact_widths_and_no_op()
    {
        // Every KV group kept; layer 2's MLP removed (its FLAP constant folds into layer 2's o_proj bias).
        using var pruned = PrunedModels.Flap(EmbeddedModel.Model, EmbeddedModel.Windows(8, 64, seed: 40), 8, 64, 0.0, dropMlp: 2);
        using var tmp = new TempFolder();
        DeciLmWriter.Write(pruned, EmbeddedModel.Dir, tmp.Path);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(tmp.Path, "config.json")))!.AsObject();
        Assert.Equal("DeciLMForCausalLM", config["architectures"]![0]!.GetValue<string>());
        Assert.Equal("nemotron-nas", config["model_type"]!.GetValue<string>());
        Assert.Equal("configuration_prunesearch_decilm.PruneSearchDeciLMConfig", config["auto_map"]!["AutoConfig"]!.GetValue<string>());
        Assert.True(File.Exists(Path.Combine(tmp.Path, "configuration_prunesearch_decilm.py")));
        var blocks = config["block_configs"]!.AsArray();
        var c = pruned.Config;
        for (int l = 0; l < c.NumLayers; l++)
        {
            var w = c.Layers[l];
            Assert.False(blocks[l]!["attention"]!["no_op"]!.GetValue<bool>());
            Assert.Equal(c.NumAttentionHeads / w.NumKvHeads, blocks[l]!["attention"]!["n_heads_in_group"]!.GetValue<int>());
            Assert.Equal(w.IntermediateSize == 0, blocks[l]!["ffn"]!["no_op"]!.GetValue<bool>());
            if (w.IntermediateSize > 0) Assert.Equal(w.IntermediateSize, blocks[l]!["ffn"]!["intermediate_size"]!.GetValue<int>());
        }
        Assert.True(blocks[2]!["ffn"]!["no_op"]!.GetValue<bool>());
        AssertSameLogits(pruned, tmp.Path);
    }

    [Fact]
    public void Given_KV_groups_pruned_per_layer_When_padding_heads_Then_vLLM_s_layout_reproduces_the_model()
    {
        using var pruned = GgufEmbeddedLlamaCppTests.RemovedBlocks(); // layer 0 no attention → refused for vLLM
        using var tmp = new TempFolder();
        Assert.Contains("layer 0 is the first with a block and has no attention",
            Assert.Throws<UserInputException>(() => DeciLmWriter.Write(pruned, EmbeddedModel.Dir, tmp.Path, new DeciLmOptions(PadHeads: true))).Message);

        using var p2 = PrunedModels.Flap(EmbeddedModel.Model, EmbeddedModel.Windows(8, 64, seed: 41), 8, 64, 0.5, dropAttention: 2, dropMlp: 3);
        Assert.Contains(p2.Config.Layers, l => l.NumHeads > 0 && l.NumHeads < p2.Config.NumAttentionHeads);
        var e = Assert.Throws<UserInputException>(() => DeciLmWriter.Write(p2, EmbeddedModel.Dir, tmp.Path));
        Assert.Contains("query heads, but vLLM's DeciLM gives every attention layer num_attention_heads", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        // AL-AM leaves 3 of 4 KV groups somewhere: 3 does not divide 8 heads, so that layer is padded to 4 groups.
        Assert.Contains(p2.Config.Layers, l => l.NumKvHeads == 3);

        DeciLmWriter.Write(p2, EmbeddedModel.Dir, tmp.Path, new DeciLmOptions(PadHeads: true));
        var blocks = JsonNode.Parse(File.ReadAllText(Path.Combine(tmp.Path, "config.json")))!["block_configs"]!.AsArray();
        Assert.True(blocks[2]!["attention"]!["no_op"]!.GetValue<bool>());
        Assert.True(blocks[3]!["ffn"]!["no_op"]!.GetValue<bool>());
        for (int l = 0; l < p2.Config.NumLayers; l++)
            if (p2.Config.Layers[l].NumKvHeads is > 0 and var kv)
                Assert.Equal(8 / (kv == 3 ? 4 : kv), blocks[l]!["attention"]!["n_heads_in_group"]!.GetValue<int>());
        AssertSameLogits(p2, tmp.Path);
    }

    [Fact]
    public void Given_groups_too_large_for_any_divisor_of_the_query_heads_When_writing_Then_it_is_refused()
    {
        var c = EmbeddedModel.Model.Config; // 8 heads over 4 KV heads
        // Padding fits any layer with at most H query heads; 9 heads do not fit in 8 at all.
        var odd = c with { Layers = c.Layers.Select((w, l) => l == 1 ? new LayerWidths(9, 1, w.IntermediateSize, false, false) : w).ToList() };
        using var model = RandomTransformer.Create(odd, seed: 4);
        using var tmp = new TempFolder();
        var e = Assert.Throws<UserInputException>(() => DeciLmWriter.Write(model, null, tmp.Path, new DeciLmOptions(PadHeads: true)));
        Assert.Contains("layer 1 has 9 query heads, more than num_attention_heads 8", e.Message);

        // 10 heads: 3 KV heads of 3 query heads need G' ∈ {5, 10}, whose groups (2, 1 heads) are too small.
        var ten = RandomTransformer.DenseConfig(hidden: 40, layers: 2, heads: 10, kvHeads: 5, intermediate: 32, vocab: 40);
        ten = ten with { Layers = [ten.Layers[0], new LayerWidths(9, 3, 32, false, false)] };
        using var tenHeads = RandomTransformer.Create(ten, seed: 5);
        e = Assert.Throws<UserInputException>(() => DeciLmWriter.Write(tenHeads, null, tmp.Path, new DeciLmOptions(PadHeads: true)));
        Assert.Contains("no KV-head count ≥ 3 splits num_attention_heads 10", e.Message);
    }

    [Fact]
    public void Given_an_odd_group_shape_When_padding_Then_the_nearest_vLLM_layout_is_written_and_stays_exact()
    {
        var c = EmbeddedModel.Model.Config; // 8 heads over 4 KV heads
        // Layer 1: 6 query heads over 3 KV heads (g = 2) → G' = 4, n_heads_in_group 2; layer 2: 3 heads over 1 (g = 3)
        // → G' = 1 (the fewest KV heads that fit: one group of 8, its 3 real heads and 5 zero ones).
        var odd = c with
        {
            Layers = c.Layers.Select((w, l) => l switch
            {
                1 => new LayerWidths(6, 3, w.IntermediateSize, false, false),
                2 => new LayerWidths(3, 1, w.IntermediateSize, false, false),
                _ => w,
            }).ToList(),
        };
        using var model = RandomTransformer.Create(odd, seed: 6);
        using var tmp = new TempFolder();
        DeciLmWriter.Write(model, null, tmp.Path, new DeciLmOptions(PadHeads: true));
        var blocks = JsonNode.Parse(File.ReadAllText(Path.Combine(tmp.Path, "config.json")))!["block_configs"]!.AsArray();
        Assert.Equal(new[] { 2, 2, 8, 2 }, blocks.Select(b => b!["attention"]!["n_heads_in_group"]!.GetValue<int>()));
        AssertSameLogits(model, tmp.Path);
    }

    [Fact]
    public void Given_every_block_removed_When_writing_Then_it_is_refused()
    {
        var c = EmbeddedModel.Model.Config;
        using var empty = RandomTransformer.Create(c with { Layers = c.Layers.Select(_ => new LayerWidths(0, 0, 0, false, false)).ToList() }, seed: 5);
        using var tmp = new TempFolder();
        Assert.Contains("every attention and MLP block", Assert.Throws<UserInputException>(() => DeciLmWriter.Write(empty, null, tmp.Path)).Message);
    }

    private static void AssertSameLogits(Transformer compact, string dir)
    {
        using var asVllm = DeciLmFolder.Load(dir);
        double diff = Logits.MaxAbsDifference(compact, asVllm, EmbeddedModel.Windows(2, 48, seed: 42), 2, 48);
        Assert.True(diff < Tolerance, $"max |Δlogit| = {diff}");
    }
}

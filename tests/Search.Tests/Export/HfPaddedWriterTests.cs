using System.Text.Json.Nodes;
using Search.Model;
using Search.Model.Checkpoints;
using Search.Model.Export;
using Search.Tests.Data;
using Search.Tests.Pruning;
using static TorchSharp.torch;

namespace Search.Tests.Export;

/// <summary>
/// hf-padded: the pruned model at dense widths with zero rows/columns. Our loader must give the
/// compact model's logits (measured: bitwise equal here; the bar is max |Δlogit| &lt; 1e-5 because the
/// padded matmuls add exact zeros but a CPU may block the wider GEMMs' sums differently), and the folder must look like a stock
/// LlamaForCausalLM checkpoint: no per-layer field, every tensor at its dense shape.
/// </summary>
[Collection(PruningCollection.Name)]
public sealed class HfPaddedWriterTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    [Fact]
    public void Given_a_pruned_model_with_removed_blocks_When_padded_and_reloaded_Then_logits_equal_the_compact_model()
    {
        using var pruned = GgufEmbeddedLlamaCppTests.RemovedBlocks();
        using var tmp = new TempFolder();
        HfPaddedWriter.Write(pruned, EmbeddedModel.Dir, tmp.Path);
        using var reloaded = Checkpoint.Load(tmp.Path);
        Assert.True(reloaded.Config.IsDense);
        var ids = EmbeddedModel.Windows(2, 48, seed: 30);
        double diff = Logits.MaxAbsDifference(pruned, reloaded, ids, 2, 48);
        output.WriteLine($"embedded, removed blocks: padded vs compact max |Δlogit| {diff:E2}");
        Assert.True(diff < Tolerance, $"max |Δlogit| = {diff}");
        Assert.True(File.Exists(Path.Combine(tmp.Path, "tokenizer.model")));
    }

    [SharedFact]
    public void Given_stories260K_pruned_50_percent_When_padded_and_reloaded_Then_logits_equal_the_compact_model()
    {
        using var pruned = PrunedModels.Flap(Stories260KFixture.Model, Stories260KFixture.Calibration,
            Stories260KFixture.CalibrationWindows, Stories260KFixture.SeqLen, 0.5);
        using var tmp = new TempFolder();
        HfPaddedWriter.Write(pruned, SharedAssets.Stories260K, tmp.Path);
        using var reloaded = Checkpoint.Load(tmp.Path);
        Assert.Equal(Stories260KFixture.Model.ParameterCount() + BiasCount(reloaded), reloaded.ParameterCount());
        double diff = Logits.MaxAbsDifference(pruned, reloaded, Stories260KFixture.Eval, 4, Stories260KFixture.SeqLen);
        output.WriteLine($"stories260K 50%: padded vs compact max |Δlogit| {diff:E2}");
        Assert.True(diff < Tolerance, $"max |Δlogit| = {diff}");
    }

    /// <summary>
    /// Why the padding is exact, observed: in the padded model, the o_proj input of every padded
    /// head and the down_proj input of every padded channel are exactly 0.0 (not small: zero), so
    /// W·x adds exact zeros; the kept channels carry the compact model's activations.
    /// </summary>
    [Fact]
    public void Given_the_padded_model_When_running_it_Then_padded_heads_and_channels_carry_exact_zeros_and_kept_ones_the_compact_activations()
    {
        using var pruned = GgufEmbeddedLlamaCppTests.RemovedBlocks();
        using var padded = HfPaddedWriter.Pad(pruned);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var ids = tensor(EmbeddedModel.Windows(2, 32, seed: 31), [2, 32], ScalarType.Int64);
        var compact = new Capture();
        var wide = new Capture();
        pruned.Forward(ids, compact);
        padded.Forward(ids, wide);
        int hd = pruned.Config.HeadDim;
        long paddedUnits = 0;
        for (int l = 0; l < pruned.Layers.Count; l++)
        {
            var w = pruned.Config.Layers[l];
            long keptAttention = (long)w.NumHeads * hd, keptMlp = w.IntermediateSize;
            var o = wide.OProj[l];                                                   // [B, T, H·h]
            var down = wide.Down[l];                                                 // [B, T, I]
            Assert.Equal(0f, MaxAbs(o.narrow(-1, keptAttention, o.shape[^1] - keptAttention)));
            Assert.Equal(0f, MaxAbs(down.narrow(-1, keptMlp, down.shape[^1] - keptMlp)));
            if (keptAttention > 0)
                Assert.True((o.narrow(-1, 0, keptAttention) - compact.OProj[l]).abs().max().item<float>() < Tolerance);
            if (keptMlp > 0)
                Assert.True((down.narrow(-1, 0, keptMlp) - compact.Down[l]).abs().max().item<float>() < Tolerance);
            // And the padded columns of o_proj / down_proj themselves are zero.
            Assert.Equal(0f, MaxAbs(padded.Layers[l].OProj!.narrow(1, keptAttention, o.shape[^1] - keptAttention)));
            Assert.Equal(0f, MaxAbs(padded.Layers[l].DownProj!.narrow(1, keptMlp, down.shape[^1] - keptMlp)));
            paddedUnits += (o.shape[^1] - keptAttention) + (down.shape[^1] - keptMlp);
        }
        Assert.True(paddedUnits > 0, "the pruned model should have padded units");
    }

    [Fact]
    public void Given_the_padded_folder_When_read_as_a_stock_checkpoint_Then_config_and_tensors_are_what_LlamaForCausalLM_expects()
    {
        using var pruned = GgufEmbeddedLlamaCppTests.RemovedBlocks();
        using var tmp = new TempFolder();
        HfPaddedWriter.Write(pruned, EmbeddedModel.Dir, tmp.Path);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(tmp.Path, "config.json")))!.AsObject();
        Assert.Equal("LlamaForCausalLM", config["architectures"]![0]!.GetValue<string>());
        Assert.False(config.ContainsKey(ModelConfigJson.PerLayerField));
        Assert.True(config["attention_bias"]!.GetValue<bool>());
        Assert.True(config["mlp_bias"]!.GetValue<bool>());
        var c = pruned.Config;
        long d = c.HiddenSize, q = c.NumAttentionHeads * c.HeadDim, kv = c.NumKeyValueHeads * c.HeadDim, inter = c.IntermediateSize;
        using var st = SafetensorsFile.Open(Path.Combine(tmp.Path, Checkpoint.SingleFile));
        for (int l = 0; l < c.NumLayers; l++)
        {
            string p = $"model.layers.{l}.";
            // attention_bias gives q/k/v/o biases, mlp_bias gate/up/down biases, in every layer.
            var expected = new Dictionary<string, long[]>
            {
                ["input_layernorm.weight"] = [d], ["post_attention_layernorm.weight"] = [d],
                ["self_attn.q_proj.weight"] = [q, d], ["self_attn.k_proj.weight"] = [kv, d], ["self_attn.v_proj.weight"] = [kv, d],
                ["self_attn.o_proj.weight"] = [d, q], ["self_attn.q_proj.bias"] = [q], ["self_attn.k_proj.bias"] = [kv],
                ["self_attn.v_proj.bias"] = [kv], ["self_attn.o_proj.bias"] = [d],
                ["mlp.gate_proj.weight"] = [inter, d], ["mlp.up_proj.weight"] = [inter, d], ["mlp.down_proj.weight"] = [d, inter],
                ["mlp.gate_proj.bias"] = [inter], ["mlp.up_proj.bias"] = [inter], ["mlp.down_proj.bias"] = [d],
            };
            foreach (var (name, shape) in expected)
                Assert.Equal(shape, st.Entries[p + name].Shape);
            Assert.Equal(expected.Count, st.Entries.Keys.Count(k => k.StartsWith(p, StringComparison.Ordinal)));
        }
    }

    [Fact]
    public void Given_a_compensated_qwen2_model_When_padded_Then_it_is_written_as_llama_because_stock_Qwen2_has_no_o_proj_bias()
    {
        var config = RandomTransformer.DenseConfig(hidden: 32, layers: 2, heads: 4, kvHeads: 2, intermediate: 48, vocab: 40, modelType: "qwen2");
        using var dense = RandomTransformer.Create(config, seed: 7);
        using var pruned = PrunedModels.Flap(dense, RandomModels.RandomWindows(40, 4, 16, seed: 8), 4, 16, 0.5);
        Assert.Contains(pruned.Layers, l => l.OBias is not null);
        using var padded = HfPaddedWriter.Pad(pruned);
        Assert.Equal("llama", padded.Config.ModelType);
        Assert.True(padded.Config.QkvBias);
        double diff = Logits.MaxAbsDifference(pruned, padded, RandomModels.RandomWindows(40, 2, 16, seed: 9), 2, 16);
        Assert.True(diff < Tolerance, $"max |Δlogit| = {diff}");
    }

    [Fact]
    public void Given_a_layer_whose_query_heads_per_KV_head_differ_from_the_dense_model_When_padding_Then_it_is_refused()
    {
        var c = RandomTransformer.DenseConfig(hidden: 32, layers: 2, heads: 4, kvHeads: 2, intermediate: 48, vocab: 40);
        var odd = c with { Layers = [c.Layers[0], new LayerWidths(2, 2, 48, false, false)] }; // 1 query head per KV head
        using var model = RandomTransformer.Create(odd, seed: 1);
        var e = Assert.Throws<UserInputException>(() => HfPaddedWriter.Pad(model));
        Assert.Contains("layer 1 has 1 query heads per KV head, the dense model 2", e.Message);
    }

    /// <summary>max |x|, 0 for an empty slice (a layer that kept everything has no padded part).</summary>
    private static float MaxAbs(Tensor x) => x.numel() == 0 ? 0f : x.abs().max().item<float>();

    private static long BiasCount(Transformer padded) =>
        padded.Layers.Sum(l => new[] { l.QBias, l.KBias, l.VBias, l.OBias, l.GateBias, l.UpBias, l.DownBias }.Sum(b => b?.numel() ?? 0));

    /// <summary>Copies of every o_proj / down_proj input.</summary>
    private sealed class Capture : IActivationObserver
    {
        public Dictionary<int, Tensor> OProj { get; } = new();
        public Dictionary<int, Tensor> Down { get; } = new();
        // Copies that outlive the forward's per-layer scopes (observers only see tensors during the call).
        public void OnOProjInput(int layer, Tensor x) => OProj[layer] = x.clone().DetachFromDisposeScope();
        public void OnDownProjInput(int layer, Tensor x) => Down[layer] = x.clone().DetachFromDisposeScope();
    }
}

using System.Text.Json.Nodes;
using Search.Model;
using Search.Model.Checkpoints;

namespace Search.Tests.Export;

/// <summary>
/// Reads a DeciLM export the way vLLM's nemotron_nas.py builds its modules: per layer, a no_op
/// attention or one with num_attention_heads query heads over num_attention_heads / n_heads_in_group
/// KV heads (query head j reads KV head j / n_heads_in_group); a no_op FFN or an MLP of
/// ffn.intermediate_size; biases where attention_bias / qkv_bias / mlp_bias say. Checks that the
/// file holds exactly the tensors those modules have (vLLM fails on an unknown weight and on a
/// parameter left unloaded), and returns the model as our Transformer to compare logits.
/// </summary>
internal static class DeciLmFolder
{
    public static Transformer Load(string dir)
    {
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!.AsObject();
        int Int(string k) => root[k]!.GetValue<int>();
        bool Bool(string k) => root[k]!.GetValue<bool>();
        int h = Int("num_attention_heads");
        bool attentionBias = Bool("attention_bias"), qkvBias = Bool("qkv_bias"), mlpBias = Bool("mlp_bias");
        var widths = root["block_configs"]!.AsArray().Select(b =>
        {
            var a = b!["attention"]!;
            var f = b["ffn"]!;
            bool attention = !a["no_op"]!.GetValue<bool>(), mlp = !f["no_op"]!.GetValue<bool>();
            Assert.False(f.AsObject().ContainsKey("ffn_mult")); // vLLM would round ffn_mult up to a multiple of 256
            int kv = attention ? h / a["n_heads_in_group"]!.GetValue<int>() : 0;
            return new LayerWidths(attention ? h : 0, kv, mlp ? f["intermediate_size"]!.GetValue<int>() : 0,
                attention && attentionBias, mlp && mlpBias);
        }).ToList();
        Assert.Equal(Int("num_hidden_layers"), widths.Count);
        var config = new ModelConfig
        {
            ModelType = "llama",
            HiddenSize = Int("hidden_size"),
            VocabSize = Int("vocab_size"),
            HeadDim = Int("head_dim"),
            NumAttentionHeads = h,
            NumKeyValueHeads = Int("num_key_value_heads"),
            IntermediateSize = Int("intermediate_size"),
            Layers = widths,
            RmsNormEps = root["rms_norm_eps"]!.GetValue<double>(),
            RopeTheta = root["rope_theta"]!.GetValue<double>(),
            TieWordEmbeddings = Bool("tie_word_embeddings"),
            QkvBias = qkvBias,
            GateUpBias = mlpBias,
        };
        using var st = SafetensorsFile.Open(Path.Combine(dir, Checkpoint.SingleFile));
        var expected = ExpectedTensorNames(config);
        Assert.Equal(expected.Order(StringComparer.Ordinal), st.Entries.Keys.Order(StringComparer.Ordinal));
        TorchSharp.torch.Tensor R(string name) => st.Read(name, TorchSharp.torch.ScalarType.Float32);
        TorchSharp.torch.Tensor? RIf(bool present, string name) => present ? R(name) : null;
        var layers = widths.Select((w, l) =>
        {
            string p = $"model.layers.{l}.";
            bool a = w.NumHeads > 0, m = w.IntermediateSize > 0;
            // vLLM's rules, not our widths, say which tensors exist (a no_op block has no norm weight in
            // the file; ours is never used then).
            return DecoderLayerWeights.Create(w, kind => kind switch
            {
                LayerTensor.InputNorm => a ? R(p + LayerTensors.HfName(kind)) : TorchSharp.torch.ones(config.HiddenSize),
                LayerTensor.PostAttentionNorm => m ? R(p + LayerTensors.HfName(kind)) : TorchSharp.torch.ones(config.HiddenSize),
                LayerTensor.QProj or LayerTensor.KProj or LayerTensor.VProj or LayerTensor.OProj => RIf(a, p + LayerTensors.HfName(kind)),
                LayerTensor.QBias or LayerTensor.KBias or LayerTensor.VBias => RIf(a && qkvBias, p + LayerTensors.HfName(kind)),
                LayerTensor.OBias => RIf(a && attentionBias, p + LayerTensors.HfName(kind)),
                LayerTensor.GateProj or LayerTensor.UpProj or LayerTensor.DownProj => RIf(m, p + LayerTensors.HfName(kind)),
                _ => RIf(m && mlpBias, p + LayerTensors.HfName(kind)),
            });
        }).ToList();
        return new Transformer(config, R("model.embed_tokens.weight"), R("model.norm.weight"),
            config.TieWordEmbeddings ? null : R("lm_head.weight"), layers);
    }

    /// <summary>The parameters vLLM's DeciLM modules have for this config, by checkpoint name.</summary>
    private static IEnumerable<string> ExpectedTensorNames(ModelConfig c)
    {
        yield return "model.embed_tokens.weight";
        yield return "model.norm.weight";
        if (!c.TieWordEmbeddings) yield return "lm_head.weight";
        for (int l = 0; l < c.NumLayers; l++)
        {
            var w = c.Layers[l];
            string p = $"model.layers.{l}.";
            if (w.NumHeads > 0)
            {
                foreach (var n in new[] { "input_layernorm.weight", "self_attn.q_proj.weight", "self_attn.k_proj.weight", "self_attn.v_proj.weight", "self_attn.o_proj.weight" })
                    yield return p + n;
                if (c.QkvBias) foreach (var n in new[] { "q", "k", "v" }) yield return $"{p}self_attn.{n}_proj.bias";
                if (w.OProjBias) yield return p + "self_attn.o_proj.bias";
            }
            if (w.IntermediateSize > 0)
            {
                foreach (var n in new[] { "post_attention_layernorm.weight", "mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight" })
                    yield return p + n;
                if (w.DownProjBias) foreach (var n in new[] { "gate", "up", "down" }) yield return $"{p}mlp.{n}_proj.bias";
            }
        }
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Search.Model.Checkpoints;
using static TorchSharp.torch;

namespace Search.Model.Export;

/// <summary>Choices the DeciLM layout forces on a pruned model.</summary>
/// <param name="PadHeads">vLLM's DeciLM gives every attention layer num_attention_heads (H) query
/// heads over H / n_heads_in_group KV heads. A layer that keeps G_l of G KV groups (g query heads
/// each) is written with G' KV heads, the smallest divisor of H not below G_l (zero k/v rows for the
/// G'−G_l added groups), and H/G' query heads per group, its g real ones first and zero heads after
/// (zero q rows and o columns). Exact — a zero head contributes W_o·0 — but q/o stay dense-sized.
/// Off: a layer with fewer than H query heads is refused.</param>
public sealed record DeciLmOptions(bool PadHeads = false);

/// <summary>
/// Writes a <see cref="Transformer"/> as a Nemotron-NAS / DeciLM checkpoint (architectures
/// DeciLMForCausalLM, model_type nemotron-nas) that vLLM's nemotron_nas.py serves: per layer
/// <c>block_configs[i] = {attention: {no_op, replace_with_linear, n_heads_in_group}, ffn: {no_op,
/// replace_with_linear, intermediate_size}}</c>, weights under the HF Llama names, no tensors for a
/// no_op block. What vLLM does with it (nemotron_nas.py): num_kv_heads = num_attention_heads /
/// n_heads_in_group; the exact per-layer intermediate_size is used when the ffn entry has no
/// ffn_mult (our config class, <see cref="DeciLmConfigClass"/>; load with trust_remote_code);
/// attention_bias gives o_proj a bias and, unless qkv_bias says otherwise, q/k/v too; mlp_bias gives
/// gate/up/down biases. A no_op block adds nothing, so FLAP's constant of a removed block is folded
/// into the previous block's bias (<see cref="FoldedBiases"/>).
/// </summary>
public static class DeciLmWriter
{
    public const string Architecture = "DeciLMForCausalLM";
    public const string ModelType = "nemotron-nas";

    public static void Write(Transformer model, string? tokenizerDir, string outDir, DeciLmOptions? options = null)
    {
        options ??= new DeciLmOptions();
        var c = model.Config;
        int first = Enumerable.Range(0, c.NumLayers).FirstOrDefault(l => c.Layers[l].NumHeads > 0 || c.Layers[l].IntermediateSize > 0, -1);
        if (first < 0) throw new UserInputException("decilm: every attention and MLP block of the model is removed; there is nothing to run");
        if (c.Layers[first].NumHeads == 0)
            throw new UserInputException(
                $"decilm: layer {first} is the first with a block and has no attention; vLLM's DeciLM (nemotron_nas.py) needs a residual there that only an attention block creates");
        var kvHeads = KvHeads(c, options);

        using var folded = FoldedBiases.Fold(model);
        bool oBias = folded.OBias.Any(b => b is not null) || c.QkvBias;
        bool downBias = folded.DownBias.Any(b => b is not null) || c.GateUpBias;
        bool shifted = folded.EmbeddingShift is not null;

        Directory.CreateDirectory(outDir);
        foreach (var stale in Directory.GetFiles(outDir, "model*.safetensors*")) File.Delete(stale);
        var config = Config(c, kvHeads, oBias, downBias, tied: c.TieWordEmbeddings && !shifted, DtypeOf(model));
        File.WriteAllText(Path.Combine(outDir, "config.json"), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        File.WriteAllText(Path.Combine(outDir, DeciLmConfigClass.FileName), DeciLmConfigClass.Source);

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var tensors = Tensors(model, kvHeads, folded, oBias, downBias).ToList();
        SafetensorsFile.Write(Path.Combine(outDir, Checkpoint.SingleFile), tensors);
        if (tokenizerDir is not null && Path.GetFullPath(tokenizerDir) != Path.GetFullPath(outDir))
            foreach (var f in Checkpoint.TokenizerFiles)
            {
                string src = Path.Combine(tokenizerDir, f);
                if (File.Exists(src)) File.Copy(src, Path.Combine(outDir, f), overwrite: true);
            }
    }

    /// <summary>KV heads vLLM is told per layer (0 for a no_op attention), or a one-line refusal.</summary>
    private static int[] KvHeads(ModelConfig c, DeciLmOptions options)
    {
        int h = c.NumAttentionHeads;
        var kvHeads = new int[c.NumLayers];
        for (int l = 0; l < c.NumLayers; l++)
        {
            var w = c.Layers[l];
            if (w.NumHeads == 0) continue;
            if (w.NumHeads > h)
                throw new UserInputException($"decilm: layer {l} has {w.NumHeads} query heads, more than num_attention_heads {h}");
            if (w.NumHeads != h && !options.PadHeads)
                throw new UserInputException(
                    $"decilm: layer {l} keeps {w.NumHeads} of {h} query heads, but vLLM's DeciLM gives every attention layer num_attention_heads query heads (pad with zero heads, exact, via the pad-heads option)");
            // The smallest G' ≥ G_l dividing H whose groups still hold the layer's g query heads
            // (G' = G_l when it divides H; none exists e.g. for 3 groups of 3 among 10 heads).
            int g = Enumerable.Range(w.NumKvHeads, h - w.NumKvHeads + 1).FirstOrDefault(x => h % x == 0 && h / x >= w.GroupSize);
            if (g == 0)
                throw new UserInputException(
                    $"decilm: layer {l} has {w.NumKvHeads} KV heads of {w.GroupSize} query heads; no KV-head count ≥ {w.NumKvHeads} splits num_attention_heads {h} into groups that large");
            kvHeads[l] = g;
        }
        return kvHeads;
    }

    private static JsonObject Config(ModelConfig c, int[] kvHeads, bool oBias, bool downBias, bool tied, string dtype)
    {
        var blocks = new JsonArray();
        for (int l = 0; l < c.NumLayers; l++)
        {
            var w = c.Layers[l];
            var attention = new JsonObject { ["no_op"] = w.NumHeads == 0, ["replace_with_linear"] = false };
            if (w.NumHeads > 0) attention["n_heads_in_group"] = c.NumAttentionHeads / kvHeads[l];
            var ffn = new JsonObject { ["no_op"] = w.IntermediateSize == 0, ["replace_with_linear"] = false };
            if (w.IntermediateSize > 0) ffn["intermediate_size"] = w.IntermediateSize;
            blocks.Add(new JsonObject { ["attention"] = attention, ["ffn"] = ffn });
        }
        var root = new JsonObject
        {
            ["architectures"] = new JsonArray(Architecture),
            ["model_type"] = ModelType,
            ["auto_map"] = new JsonObject { ["AutoConfig"] = DeciLmConfigClass.AutoConfig },
        };
        ModelConfigJson.AddLlamaShape(root, c);
        root["attention_bias"] = oBias;
        root["qkv_bias"] = c.QkvBias;
        root["mlp_bias"] = downBias;
        root["tie_word_embeddings"] = tied;
        ModelConfigJson.AddDtypeAndTokens(root, c, dtype);
        root["block_configs"] = blocks;
        return root;
    }

    private static IEnumerable<KeyValuePair<string, Tensor>> Tensors(Transformer model, int[] kvHeads, FoldedBiases folded, bool oBias, bool downBias)
    {
        var c = model.Config;
        var dtype = model.DType;
        long d = c.HiddenSize, hd = c.HeadDim, h = c.NumAttentionHeads;
        var shift = folded.EmbeddingShift?.to(dtype);
        yield return new("model.embed_tokens.weight", shift is null ? model.Embedding : model.Embedding + shift);
        for (int l = 0; l < c.NumLayers; l++)
        {
            var w = c.Layers[l];
            var src = model.Layers[l];
            string p = $"model.layers.{l}.";
            if (w.NumHeads > 0)
            {
                // Query heads of KV group k sit at rows k·(H/G')·h …: its g real heads first, zero heads after;
                // KV groups G_l … G'−1 are all zero.
                var qRows = QueryRows(w.NumKvHeads, w.GroupSize, c.NumAttentionHeads / kvHeads[l], c.HeadDim);
                var kvRows = Enumerable.Range(0, w.NumKvHeads * c.HeadDim).Select(r => (long)r).ToArray();
                long kv = kvHeads[l] * hd;
                yield return new(p + "input_layernorm.weight", src.InputNorm);
                yield return new(p + "self_attn.q_proj.weight", Scatter(src.QProj!, qRows, h * hd, 0));
                yield return new(p + "self_attn.k_proj.weight", Scatter(src.KProj!, kvRows, kv, 0));
                yield return new(p + "self_attn.v_proj.weight", Scatter(src.VProj!, kvRows, kv, 0));
                yield return new(p + "self_attn.o_proj.weight", Scatter(src.OProj!, qRows, h * hd, 1));
                if (c.QkvBias)
                {
                    yield return new(p + "self_attn.q_proj.bias", Scatter(src.QBias!, qRows, h * hd, 0));
                    yield return new(p + "self_attn.k_proj.bias", Scatter(src.KBias!, kvRows, kv, 0));
                    yield return new(p + "self_attn.v_proj.bias", Scatter(src.VBias!, kvRows, kv, 0));
                }
                if (oBias) yield return new(p + "self_attn.o_proj.bias", folded.OBias[l]?.to(dtype) ?? zeros(d, dtype));
            }
            if (w.IntermediateSize > 0)
            {
                yield return new(p + "post_attention_layernorm.weight", src.PostAttentionNorm);
                yield return new(p + "mlp.gate_proj.weight", src.GateProj!);
                yield return new(p + "mlp.up_proj.weight", src.UpProj!);
                yield return new(p + "mlp.down_proj.weight", src.DownProj!);
                if (downBias)
                {
                    yield return new(p + "mlp.gate_proj.bias", src.GateBias ?? zeros(w.IntermediateSize, dtype));
                    yield return new(p + "mlp.up_proj.bias", src.UpBias ?? zeros(w.IntermediateSize, dtype));
                    yield return new(p + "mlp.down_proj.bias", folded.DownBias[l]?.to(dtype) ?? zeros(d, dtype));
                }
            }
        }
        yield return new("model.norm.weight", model.FinalNorm);
        if (!c.TieWordEmbeddings || shift is not null) yield return new("lm_head.weight", model.LmHead);
    }

    /// <summary>
    /// Target row of each of our q rows: head j of group k (j &lt; g) goes to head k·perGroup + j,
    /// row by row within the head. [G_l·g·h] indices into [H·h]; the identity when nothing is padded.
    /// </summary>
    private static long[] QueryRows(int kvHeads, int groupSize, int perGroup, int headDim) =>
        Enumerable.Range(0, kvHeads).SelectMany(k => Enumerable.Range(0, groupSize)
            .SelectMany(j => Enumerable.Range(0, headDim).Select(r => (long)((k * perGroup + j) * headDim + r)))).ToArray();

    /// <summary>A zero tensor with <paramref name="size"/> along <paramref name="dim"/>, ours placed at <paramref name="rows"/>.</summary>
    private static Tensor Scatter(Tensor ours, long[] rows, long size, int dim)
    {
        if (ours.shape[dim] == size) return ours; // every query head kept: nothing to pad
        var shape = ours.shape.ToArray();
        shape[dim] = size;
        return zeros(shape, ours.dtype, ours.device).index_copy(dim, tensor(rows, ScalarType.Int64, ours.device), ours);
    }

    private static string DtypeOf(Transformer model) => Checkpoint.DtypeName(model.DType);
}

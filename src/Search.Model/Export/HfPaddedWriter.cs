using Search.Model.Checkpoints;
using static TorchSharp.torch;

namespace Search.Model.Export;

/// <summary>
/// Writes a pruned model as a stock Hugging Face checkpoint: every layer back at the dense widths
/// of its config (num_attention_heads, num_key_value_heads, intermediate_size), the pruned heads and
/// channels as zero rows/columns, and FLAP's o/down biases through <c>attention_bias</c> /
/// <c>mlp_bias</c> (zeros where a layer has none; stock LlamaForCausalLM then also gives q/k/v and
/// gate/up biases, written as zeros). No per-layer field is needed, so transformers loads it as is.
///
/// Why the padding is exact: a padded KV group has zero q, k and v rows, so its attention output is
/// softmax(0)·0 = 0, and its o_proj columns are zero besides; a padded MLP channel has zero gate and
/// up rows, so its down_proj input is silu(0)·0 = 0, and its down_proj column is zero besides. A
/// removed block becomes an all-zero block whose output is exactly its compensation bias. Kept units
/// fill the first rows of each layer (KV group k with its query heads k·g … k·g+g−1), so the GQA
/// mapping of query head to KV head is unchanged.
/// </summary>
public static class HfPaddedWriter
{
    /// <summary>Writes the padded checkpoint (config.json, safetensors, tokenizer files) to <paramref name="outDir"/>.</summary>
    public static void Write(Transformer model, string? tokenizerDir, string outDir)
    {
        using var padded = Pad(model);
        Checkpoint.Save(padded, outDir, tokenizerDir);
    }

    /// <summary>
    /// The padded model (new tensors; embeddings and norms copied). Stock Mistral and Qwen2 classes
    /// have no o_proj/down_proj bias, so a compensated model of those types is written as llama,
    /// the same decoder with those biases allowed.
    /// </summary>
    public static Transformer Pad(Transformer model)
    {
        var c = model.Config;
        int denseGroup = c.NumAttentionHeads / c.NumKeyValueHeads;
        for (int l = 0; l < c.NumLayers; l++)
        {
            var w = c.Layers[l];
            if (w.NumHeads > c.NumAttentionHeads || w.NumKvHeads > c.NumKeyValueHeads || w.IntermediateSize > c.IntermediateSize)
                throw new UserInputException($"hf-padded: layer {l} is wider than the config's dense widths ({w.NumHeads}/{w.NumKvHeads}/{w.IntermediateSize})");
            if (w.NumHeads > 0 && w.GroupSize != denseGroup)
                throw new UserInputException(
                    $"hf-padded: layer {l} has {w.GroupSize} query heads per KV head, the dense model {denseGroup}; zero padding cannot restore the GQA layout");
        }
        bool oBias = c.Layers.Any(l => l.OProjBias), downBias = c.Layers.Any(l => l.DownProjBias);
        bool attentionBias = oBias || c.QkvBias, mlpBias = downBias || c.GateUpBias;
        string type = (oBias && !c.ArchitectureOProjBias) || (downBias && !c.ArchitectureDownProjBias) ? "llama" : c.ModelType;
        var dense = new LayerWidths(c.NumAttentionHeads, c.NumKeyValueHeads, c.IntermediateSize,
            type == "qwen2" ? false : attentionBias, mlpBias);
        var config = c with
        {
            ModelType = type,
            QkvBias = attentionBias,
            GateUpBias = mlpBias,
            Layers = c.Layers.Select(_ => dense).ToList(),
        };

        using var noGrad = no_grad();
        var layers = new List<DecoderLayerWeights>();
        try
        {
            foreach (var src in model.Layers) layers.Add(PadLayer(src, config, dense));
            var embedding = model.Embedding.clone().DetachFromDisposeScope();
            var lmHead = ReferenceEquals(model.LmHead, model.Embedding) ? null : model.LmHead.clone().DetachFromDisposeScope();
            return new Transformer(config, embedding, model.FinalNorm.clone().DetachFromDisposeScope(), lmHead, layers);
        }
        catch
        {
            foreach (var l in layers) l.Dispose();
            throw;
        }
    }

    private static DecoderLayerWeights PadLayer(DecoderLayerWeights src, ModelConfig c, LayerWidths dense)
    {
        using var scope = NewDisposeScope();
        long d = c.HiddenSize, hd = c.HeadDim;
        long q = dense.NumHeads * hd, kv = dense.NumKvHeads * hd, inter = dense.IntermediateSize;
        var dtype = src.InputNorm.dtype;
        var device = src.InputNorm.device;
        // A zero tensor of the dense shape with the kept part copied into its leading rows (dim 0) or columns (dim 1).
        Tensor Padded(Tensor? kept, long[] shape, int dim)
        {
            var z = zeros(shape, dtype, device);
            if (kept is not null && kept.shape[dim] > 0) z.narrow(dim, 0, kept.shape[dim]).copy_(kept);
            return z.DetachFromDisposeScope();
        }
        Tensor? Bias(bool present, Tensor? kept, long n) => present ? Padded(kept, [n], 0) : null;
        return DecoderLayerWeights.Create(dense, kind => kind switch
        {
            LayerTensor.InputNorm or LayerTensor.PostAttentionNorm => src[kind]!.clone().DetachFromDisposeScope(),
            LayerTensor.QProj => Padded(src.QProj, [q, d], 0),
            LayerTensor.KProj => Padded(src.KProj, [kv, d], 0),
            LayerTensor.VProj => Padded(src.VProj, [kv, d], 0),
            LayerTensor.OProj => Padded(src.OProj, [d, q], 1),
            LayerTensor.QBias => Bias(c.QkvBias, src.QBias, q),
            LayerTensor.KBias => Bias(c.QkvBias, src.KBias, kv),
            LayerTensor.VBias => Bias(c.QkvBias, src.VBias, kv),
            LayerTensor.OBias => Bias(dense.OProjBias, src.OBias, d),
            LayerTensor.GateProj => Padded(src.GateProj, [inter, d], 0),
            LayerTensor.UpProj => Padded(src.UpProj, [inter, d], 0),
            LayerTensor.DownProj => Padded(src.DownProj, [d, inter], 1),
            LayerTensor.GateBias => Bias(c.GateUpBias, src.GateBias, inter),
            LayerTensor.UpBias => Bias(c.GateUpBias, src.UpBias, inter),
            LayerTensor.DownBias => Bias(dense.DownProjBias, src.DownBias, d),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        });
    }
}

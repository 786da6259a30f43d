using static TorchSharp.torch;

namespace Search.Model.Export;

/// <summary>
/// Writes a <see cref="Transformer"/>, dense or pruned, as a GGUF file llama.cpp loads. Uniform
/// models become <c>general.architecture = llama</c>; models whose widths differ per layer become
/// <c>deci</c> (llama.cpp's Nemotron-NAS architecture) with per-layer INT32 arrays
/// <c>deci.attention.head_count</c>, <c>…head_count_kv</c> and <c>deci.feed_forward_length</c>.
/// q/k rows are reordered to llama.cpp's rope layout (<see cref="RotaryLayout"/>); FLAP's o/down
/// biases are <c>blk.N.attn_output.bias</c> / <c>blk.N.ffn_down.bias</c>, which both graphs add.
///
/// Three facts of llama.cpp's deci code (src/models/deci.cpp, src/llama-model.cpp) shape the layout,
/// each handled exactly: (1) a removed block's compensation bias is never added, so it is folded
/// into the previous block (<see cref="FoldedBiases"/>); (2) a layer with attention and
/// feed_forward_length 0 hits <c>continue</c> before its attention output joins the residual, so an
/// empty MLP is written as one all-zero channel (silu(0)·0 = 0) instead; (3) the head size is read
/// only when layer 0 has heads, so a first layer without attention gets one all-zero head (its
/// output is W_o·softmax(0)·V = 0·… = 0). A layer with both blocks removed is the identity and is left out.
/// </summary>
public static class GgufWriter
{
    public const string LlamaArchitecture = "llama";
    public const string DeciArchitecture = "deci";

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/> with the SentencePiece
    /// vocabulary of <paramref name="tokenizerDir"/>/tokenizer.model. Throws
    /// <see cref="UserInputException"/> (one line) for what llama.cpp cannot load.
    /// </summary>
    public static void Write(Transformer model, string tokenizerDir, string path, GgufFileType type) =>
        Write(model, tokenizerDir, path, type, GgufLayoutOptions.Exact);

    internal static void Write(Transformer model, string tokenizerDir, string path, GgufFileType type, GgufLayoutOptions options)
    {
        var c = model.Config;
        var layers = Plan(c, options);
        string arch = IsUniform(c) ? LlamaArchitecture : DeciArchitecture;
        if (c.QkvBias && (arch == DeciArchitecture || c.NumAttentionHeads * c.HeadDim != c.HiddenSize))
            throw new UserInputException(
                "GGUF export: q/k/v biases (Qwen2, attention_bias) of a pruned model cannot be loaded by llama.cpp, whose deci loader sizes attn_q.bias as the hidden size");
        using var folded = FoldedBiases.Fold(model);
        var gguf = new GgufBuilder();
        AddModelMetadata(gguf, c, arch, layers, type, Path.GetFileNameWithoutExtension(path));
        GgufTokenizer.AddMetadata(gguf, tokenizerDir, c.VocabSize);
        AddTensors(gguf, model, layers, folded, type);
        gguf.Write(path);
    }

    /// <summary>Which architecture <paramref name="config"/> is written as.</summary>
    public static string ArchitectureFor(ModelConfig config) => IsUniform(config) ? LlamaArchitecture : DeciArchitecture;

    /// <summary>Every layer has both blocks and the same widths: plain llama, scalar hyperparameters.</summary>
    private static bool IsUniform(ModelConfig c) =>
        c.Layers.All(l => l.NumHeads > 0 && l.IntermediateSize > 0
                          && l.NumHeads == c.Layers[0].NumHeads && l.NumKvHeads == c.Layers[0].NumKvHeads
                          && l.IntermediateSize == c.Layers[0].IntermediateSize);

    /// <summary>One GGUF block: the source layer and the widths llama.cpp is told.</summary>
    internal sealed record GgufLayer(int Source, int Heads, int KvHeads, int FeedForward, bool ZeroAttention, bool ZeroMlp);

    internal static List<GgufLayer> Plan(ModelConfig c, GgufLayoutOptions options)
    {
        var layers = new List<GgufLayer>();
        for (int l = 0; l < c.NumLayers; l++)
        {
            var w = c.Layers[l];
            bool attention = w.NumHeads > 0, mlp = w.IntermediateSize > 0;
            if (!attention && !mlp) continue; // the identity once its biases are folded away
            bool zeroMlp = attention && !mlp && options.EmptyMlpAsZeroChannel;
            layers.Add(new GgufLayer(l, w.NumHeads, w.NumKvHeads, mlp ? w.IntermediateSize : zeroMlp ? 1 : 0, false, zeroMlp));
        }
        if (layers.Count == 0)
            throw new UserInputException("GGUF export: every attention and MLP block of the model is removed; there is nothing to run");
        if (layers[0].Heads == 0 && layers.Any(l => l.Heads > 0))
            layers[0] = layers[0] with { Heads = 1, KvHeads = 1, ZeroAttention = true };
        return layers;
    }

    private static void AddModelMetadata(GgufBuilder gguf, ModelConfig c, string arch, List<GgufLayer> layers, GgufFileType type, string name)
    {
        gguf.Add("general.architecture", arch);
        gguf.Add("general.name", name);
        gguf.Add("general.file_type", (uint)type);
        gguf.Add($"{arch}.vocab_size", (uint)c.VocabSize);
        gguf.Add($"{arch}.context_length", (uint)Math.Min(c.MaxPositionEmbeddings, c.SlidingWindow ?? int.MaxValue));
        gguf.Add($"{arch}.embedding_length", (uint)c.HiddenSize);
        gguf.Add($"{arch}.block_count", (uint)layers.Count);
        if (arch == LlamaArchitecture)
        {
            gguf.Add($"{arch}.feed_forward_length", (uint)layers[0].FeedForward);
            gguf.Add($"{arch}.attention.head_count", (uint)layers[0].Heads);
            gguf.Add($"{arch}.attention.head_count_kv", (uint)layers[0].KvHeads);
        }
        else
        {
            gguf.AddArray($"{arch}.feed_forward_length", layers.Select(l => l.FeedForward).ToList());
            gguf.AddArray($"{arch}.attention.head_count", layers.Select(l => l.Heads).ToList());
            gguf.AddArray($"{arch}.attention.head_count_kv", layers.Select(l => l.KvHeads).ToList());
        }
        // Stated, not derived: llama.cpp's default n_embd / n_head(0) is wrong once heads are pruned.
        gguf.Add($"{arch}.attention.key_length", (uint)c.HeadDim);
        gguf.Add($"{arch}.attention.value_length", (uint)c.HeadDim);
        gguf.Add($"{arch}.rope.dimension_count", (uint)c.HeadDim);
        gguf.Add($"{arch}.rope.freq_base", (float)c.RopeTheta);
        gguf.Add($"{arch}.attention.layer_norm_rms_epsilon", (float)c.RmsNormEps);
    }

    private static void AddTensors(GgufBuilder gguf, Transformer model, List<GgufLayer> layers, FoldedBiases folded, GgufFileType type)
    {
        var c = model.Config;
        long d = c.HiddenSize, hd = c.HeadDim;
        var matrix = type == GgufFileType.F16 ? GgmlType.F16 : GgmlType.F32;
        void Vector(string name, Func<Tensor> make) => gguf.AddTensor(name, [d], GgmlType.F32, make);
        void Matrix(string name, long rows, long cols, Func<Tensor> make) =>
            gguf.AddTensor(name, [rows, cols], matrix, () => CheckRange(name, make(), type));

        var shift = folded.EmbeddingShift;
        Matrix("token_embd.weight", c.VocabSize, d, () => shift is null ? model.Embedding : model.Embedding + shift);
        Vector("output_norm.weight", () => model.FinalNorm);
        // Tied heads are read from token_embd; a shifted embedding needs the head written out.
        if (!ReferenceEquals(model.LmHead, model.Embedding) || shift is not null)
            Matrix("output.weight", c.VocabSize, d, () => model.LmHead);

        for (int e = 0; e < layers.Count; e++)
        {
            var g = layers[e];
            var src = model.Layers[g.Source];
            string p = $"blk.{e}.";
            if (g.ZeroAttention)
            {
                Vector(p + "attn_norm.weight", () => ones(d));
                Matrix(p + "attn_q.weight", hd, d, () => zeros(hd, d));
                Matrix(p + "attn_k.weight", hd, d, () => zeros(hd, d));
                Matrix(p + "attn_v.weight", hd, d, () => zeros(hd, d));
                Matrix(p + "attn_output.weight", d, hd, () => zeros(d, hd));
            }
            else if (g.Heads > 0)
            {
                long q = g.Heads * hd, kv = g.KvHeads * hd;
                Vector(p + "attn_norm.weight", () => src.InputNorm);
                Matrix(p + "attn_q.weight", q, d, () => RotaryLayout.ToInterleaved(src.QProj!, g.Heads, c.HeadDim));
                Matrix(p + "attn_k.weight", kv, d, () => RotaryLayout.ToInterleaved(src.KProj!, g.KvHeads, c.HeadDim));
                Matrix(p + "attn_v.weight", kv, d, () => src.VProj!);
                Matrix(p + "attn_output.weight", d, q, () => src.OProj!);
                if (src.QBias is not null)
                {
                    gguf.AddTensor(p + "attn_q.bias", [q], GgmlType.F32, () => RotaryLayout.ToInterleaved(src.QBias, g.Heads, c.HeadDim));
                    gguf.AddTensor(p + "attn_k.bias", [kv], GgmlType.F32, () => RotaryLayout.ToInterleaved(src.KBias!, g.KvHeads, c.HeadDim));
                    gguf.AddTensor(p + "attn_v.bias", [kv], GgmlType.F32, () => src.VBias!);
                }
                if (folded.OBias[g.Source] is { } ob) Vector(p + "attn_output.bias", () => ob);
            }
            if (g.ZeroMlp)
            {
                Vector(p + "ffn_norm.weight", () => src.PostAttentionNorm);
                Matrix(p + "ffn_gate.weight", 1, d, () => zeros(1, d));
                Matrix(p + "ffn_up.weight", 1, d, () => zeros(1, d));
                Matrix(p + "ffn_down.weight", d, 1, () => zeros(d, 1));
            }
            else if (g.FeedForward > 0)
            {
                long inter = g.FeedForward;
                Vector(p + "ffn_norm.weight", () => src.PostAttentionNorm);
                Matrix(p + "ffn_gate.weight", inter, d, () => src.GateProj!);
                Matrix(p + "ffn_up.weight", inter, d, () => src.UpProj!);
                Matrix(p + "ffn_down.weight", d, inter, () => src.DownProj!);
                if (src.GateBias is not null)
                {
                    gguf.AddTensor(p + "ffn_gate.bias", [inter], GgmlType.F32, () => src.GateBias);
                    gguf.AddTensor(p + "ffn_up.bias", [inter], GgmlType.F32, () => src.UpBias!);
                }
                if (folded.DownBias[g.Source] is { } db) Vector(p + "ffn_down.bias", () => db);
            }
        }
    }

    /// <summary>float16 holds magnitudes up to 65504; a larger weight would silently become inf.</summary>
    private static Tensor CheckRange(string name, Tensor t, GgufFileType type)
    {
        if (type == GgufFileType.F16)
        {
            double max = t.abs().max().to_type(ScalarType.Float64).item<double>();
            if (max > 65504)
                throw new UserInputException($"GGUF export: tensor {name} has a weight of magnitude {max:G4}, beyond float16's 65504; export as f32");
        }
        return t;
    }
}

/// <summary>
/// Layout switches that exist so tests can show why the exact layout is needed. Production
/// code always writes <see cref="Exact"/>.
/// </summary>
/// <param name="EmptyMlpAsZeroChannel">Write an empty MLP next to a live attention as one zero channel
/// (true), or as feed_forward_length 0, which llama.cpp's deci graph mishandles (false).</param>
internal sealed record GgufLayoutOptions(bool EmptyMlpAsZeroChannel)
{
    public static readonly GgufLayoutOptions Exact = new(EmptyMlpAsZeroChannel: true);
}

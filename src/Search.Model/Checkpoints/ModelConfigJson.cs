using System.Text.Json;
using System.Text.Json.Nodes;

namespace Search.Model.Checkpoints;

/// <summary>
/// Reads and writes HF <c>config.json</c>. Pruned models add <c>prunesearch_layers</c>: one entry
/// per layer with <c>num_attention_heads</c>, <c>num_key_value_heads</c>, <c>intermediate_size</c>,
/// <c>o_proj_bias</c>, <c>down_proj_bias</c>. Other fields keep their HF meaning (dense widths).
/// </summary>
public static class ModelConfigJson
{
    public const string PerLayerField = "prunesearch_layers";

    public static ModelConfig Read(string path)
    {
        if (!File.Exists(path)) throw new UserInputException($"{path}: config.json not found");
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                   ?? throw new UserInputException($"{path}: config.json is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new UserInputException($"{path}: config.json is not valid JSON ({e.Message.Split('\n')[0]})");
        }
        return Parse(root, path);
    }

    /// <summary>
    /// Every field is read through <see cref="ConfigFields"/>: a value of the wrong JSON type
    /// (<c>"model_type": 5</c>, <c>"rms_norm_eps": "abc"</c>, <c>"tie_word_embeddings": "false"</c>) is a
    /// one-line error naming the file and the field, never a .NET cast exception or a silent default.
    /// </summary>
    public static ModelConfig Parse(JsonObject root, string path)
    {
        var f = new ConfigFields(root, path);
        string modelType = f.String("model_type") ?? throw new UserInputException($"{path}: field 'model_type' is missing");
        if (!ModelConfig.SupportedModelTypes.Contains(modelType))
            throw new UserInputException(
                $"{path}: unknown model_type '{modelType}' (supported: {string.Join(", ", ModelConfig.SupportedModelTypes)})");

        int Req(ConfigFields fields, string name, string prefix = "")
        {
            int v = fields.Int(name) ?? throw new UserInputException($"{path}: field '{prefix}{name}' is missing");
            if (v <= 0) throw new UserInputException($"{path}: field '{prefix}{name}' must be positive, got {v}");
            return v;
        }

        int hidden = Req(f, "hidden_size");
        int heads = Req(f, "num_attention_heads");
        int kvHeads = f.Has("num_key_value_heads") ? Req(f, "num_key_value_heads") : heads;
        int inter = Req(f, "intermediate_size");
        int layers = Req(f, "num_hidden_layers");
        int vocab = Req(f, "vocab_size");
        int headDim = f.Has("head_dim") ? Req(f, "head_dim") : hidden / heads;
        if (!f.Has("head_dim") && hidden % heads != 0)
            throw new UserInputException($"{path}: hidden_size {hidden} is not divisible by num_attention_heads {heads}");
        if (heads % kvHeads != 0)
            throw new UserInputException($"{path}: num_attention_heads {heads} is not a multiple of num_key_value_heads {kvHeads}");
        if (headDim % 2 != 0)
            throw new UserInputException($"{path}: head_dim {headDim} must be even for rotary embeddings");
        string act = f.String("hidden_act") ?? "silu";
        if (act != "silu")
            throw new UserInputException($"{path}: hidden_act '{act}' is not supported (LLaMA-family models use silu)");
        if (f.Object("rope_scaling") is not null)
            throw new UserInputException($"{path}: rope_scaling is not supported yet");

        bool attentionBias = f.Bool("attention_bias") ?? false;
        bool mlpBias = f.Bool("mlp_bias") ?? false;
        // Qwen2 has q/k/v biases but no o_proj bias and no config flag for it.
        bool qkvBias = attentionBias || modelType == "qwen2";

        var widths = new List<LayerWidths>(layers);
        if (f.Array(PerLayerField) is { } perLayer)
        {
            if (perLayer.Count != layers)
                throw new UserInputException(
                    $"{path}: '{PerLayerField}' has {perLayer.Count} entries but num_hidden_layers is {layers}");
            for (int i = 0; i < layers; i++)
            {
                var e = perLayer[i] as JsonObject
                        ?? throw new UserInputException($"{path}: '{PerLayerField}[{i}]' must be an object");
                var lf = new ConfigFields(e, path, $"{PerLayerField}[{i}].");
                int h = lf.Int("num_attention_heads") ?? heads;
                int kv = lf.Int("num_key_value_heads") ?? kvHeads;
                int im = lf.Int("intermediate_size") ?? inter;
                if (h < 0 || kv < 0 || im < 0 || (kv == 0) != (h == 0) || (kv > 0 && h % kv != 0))
                    throw new UserInputException(
                        $"{path}: '{PerLayerField}[{i}]' has invalid widths (heads {h}, kv heads {kv}, intermediate {im})");
                widths.Add(new LayerWidths(h, kv, im, lf.Bool("o_proj_bias") ?? attentionBias, lf.Bool("down_proj_bias") ?? mlpBias));
            }
        }
        else
        {
            for (int i = 0; i < layers; i++) widths.Add(new LayerWidths(heads, kvHeads, inter, attentionBias, mlpBias));
        }

        int? maxPositions = f.Int("max_position_embeddings");
        if (maxPositions is < 1) throw new UserInputException($"{path}: field 'max_position_embeddings' must be positive, got {maxPositions}");
        int? slidingWindow = f.Int("sliding_window");
        if (slidingWindow is < 1) throw new UserInputException($"{path}: field 'sliding_window' must be positive, got {slidingWindow}");
        return new ModelConfig
        {
            ModelType = modelType,
            HiddenSize = hidden,
            VocabSize = vocab,
            HeadDim = headDim,
            NumAttentionHeads = heads,
            NumKeyValueHeads = kvHeads,
            IntermediateSize = inter,
            Layers = widths,
            RmsNormEps = f.PositiveNumber("rms_norm_eps") ?? 1e-6,
            RopeTheta = f.PositiveNumber("rope_theta") ?? 10000.0,
            TieWordEmbeddings = f.Bool("tie_word_embeddings") ?? false,
            QkvBias = qkvBias,
            GateUpBias = mlpBias,
            MaxPositionEmbeddings = maxPositions ?? 2048,
            SlidingWindow = f.Bool("use_sliding_window") == false ? null : slidingWindow,
            BosTokenId = f.TokenId("bos_token_id"),
            EosTokenId = f.TokenId("eos_token_id"),
            TorchDtype = f.String("torch_dtype") ?? "float32",
        };
    }

    public static JsonObject ToJson(ModelConfig c, string torchDtype)
    {
        var root = new JsonObject
        {
            ["architectures"] = new JsonArray(c.ModelType switch
            {
                "mistral" => "MistralForCausalLM",
                "qwen2" => "Qwen2ForCausalLM",
                _ => "LlamaForCausalLM",
            }),
            ["model_type"] = c.ModelType,
        };
        AddLlamaShape(root, c);
        root["attention_bias"] = c.ModelType != "qwen2" && c.QkvBias;
        root["mlp_bias"] = c.GateUpBias;
        root["tie_word_embeddings"] = c.TieWordEmbeddings;
        AddDtypeAndTokens(root, c, torchDtype);
        if (c.SlidingWindow is int w) root["sliding_window"] = w;
        // IsDense covers compensation biases too, so a dense-width model with FLAP biases keeps them.
        if (!c.IsDense)
        {
            var arr = new JsonArray();
            foreach (var l in c.Layers)
                arr.Add(new JsonObject
                {
                    ["num_attention_heads"] = l.NumHeads,
                    ["num_key_value_heads"] = l.NumKvHeads,
                    ["intermediate_size"] = l.IntermediateSize,
                    ["o_proj_bias"] = l.OProjBias,
                    ["down_proj_bias"] = l.DownProjBias,
                });
            root[PerLayerField] = arr;
        }
        return root;
    }

    /// <summary>
    /// The fields every HF LlamaConfig-style config holds, from the model's config: sizes, heads,
    /// vocabulary, positions, norm epsilon, RoPE base and activation. One home for the keys, shared by
    /// this writer and the DeciLM writer (which adds its per-block configs around them).
    /// </summary>
    public static void AddLlamaShape(JsonObject root, ModelConfig c)
    {
        root["hidden_size"] = c.HiddenSize;
        root["intermediate_size"] = c.IntermediateSize;
        root["num_hidden_layers"] = c.NumLayers;
        root["num_attention_heads"] = c.NumAttentionHeads;
        root["num_key_value_heads"] = c.NumKeyValueHeads;
        root["head_dim"] = c.HeadDim;
        root["vocab_size"] = c.VocabSize;
        root["max_position_embeddings"] = c.MaxPositionEmbeddings;
        root["rms_norm_eps"] = c.RmsNormEps;
        root["rope_theta"] = c.RopeTheta;
        root["hidden_act"] = "silu";
    }

    /// <summary>The stored dtype and the special token ids (the tail of every HF config this project writes).</summary>
    public static void AddDtypeAndTokens(JsonObject root, ModelConfig c, string torchDtype)
    {
        root["torch_dtype"] = torchDtype;
        root["bos_token_id"] = c.BosTokenId;
        root["eos_token_id"] = c.EosTokenId;
    }

    public static void Write(ModelConfig c, string torchDtype, string path) =>
        File.WriteAllText(path, ToJson(c, torchDtype).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
}

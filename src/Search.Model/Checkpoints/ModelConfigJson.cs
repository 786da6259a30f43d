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

    public static ModelConfig Parse(JsonObject root, string path)
    {
        string modelType = root["model_type"]?.GetValue<string>()
                           ?? throw new UserInputException($"{path}: field 'model_type' is missing");
        if (!ModelConfig.SupportedModelTypes.Contains(modelType))
            throw new UserInputException(
                $"{path}: unknown model_type '{modelType}' (supported: {string.Join(", ", ModelConfig.SupportedModelTypes)})");

        int Req(string name)
        {
            var node = root[name] ?? throw new UserInputException($"{path}: field '{name}' is missing");
            int v;
            try { v = node.GetValue<int>(); }
            catch (Exception e) when (e is FormatException or InvalidOperationException)
            { throw new UserInputException($"{path}: field '{name}' must be an integer"); }
            if (v <= 0) throw new UserInputException($"{path}: field '{name}' must be positive, got {v}");
            return v;
        }

        int hidden = Req("hidden_size");
        int heads = Req("num_attention_heads");
        int kvHeads = root["num_key_value_heads"] is null ? heads : Req("num_key_value_heads");
        int inter = Req("intermediate_size");
        int layers = Req("num_hidden_layers");
        int vocab = Req("vocab_size");
        int headDim = root["head_dim"] is null ? hidden / heads : Req("head_dim");
        if (root["head_dim"] is null && hidden % heads != 0)
            throw new UserInputException($"{path}: hidden_size {hidden} is not divisible by num_attention_heads {heads}");
        if (heads % kvHeads != 0)
            throw new UserInputException($"{path}: num_attention_heads {heads} is not a multiple of num_key_value_heads {kvHeads}");
        if (headDim % 2 != 0)
            throw new UserInputException($"{path}: head_dim {headDim} must be even for rotary embeddings");
        string act = root["hidden_act"]?.GetValue<string>() ?? "silu";
        if (act != "silu")
            throw new UserInputException($"{path}: hidden_act '{act}' is not supported (LLaMA-family models use silu)");
        if (root["rope_scaling"] is JsonObject)
            throw new UserInputException($"{path}: rope_scaling is not supported yet");

        bool attentionBias = root["attention_bias"]?.GetValue<bool>() ?? false;
        bool mlpBias = root["mlp_bias"]?.GetValue<bool>() ?? false;
        // Qwen2 has q/k/v biases but no o_proj bias and no config flag for it.
        bool qkvBias = attentionBias || modelType == "qwen2";

        var widths = new List<LayerWidths>(layers);
        if (root[PerLayerField] is JsonArray perLayer)
        {
            if (perLayer.Count != layers)
                throw new UserInputException(
                    $"{path}: '{PerLayerField}' has {perLayer.Count} entries but num_hidden_layers is {layers}");
            for (int i = 0; i < layers; i++)
            {
                var e = perLayer[i] as JsonObject
                        ?? throw new UserInputException($"{path}: '{PerLayerField}[{i}]' must be an object");
                int h = e["num_attention_heads"]?.GetValue<int>() ?? heads;
                int kv = e["num_key_value_heads"]?.GetValue<int>() ?? kvHeads;
                int im = e["intermediate_size"]?.GetValue<int>() ?? inter;
                if (h < 0 || kv < 0 || im < 0 || (kv == 0) != (h == 0) || (kv > 0 && h % kv != 0))
                    throw new UserInputException(
                        $"{path}: '{PerLayerField}[{i}]' has invalid widths (heads {h}, kv heads {kv}, intermediate {im})");
                widths.Add(new LayerWidths(h, kv, im,
                    e["o_proj_bias"]?.GetValue<bool>() ?? attentionBias,
                    e["down_proj_bias"]?.GetValue<bool>() ?? mlpBias));
            }
        }
        else
        {
            for (int i = 0; i < layers; i++) widths.Add(new LayerWidths(heads, kvHeads, inter, attentionBias, mlpBias));
        }

        int? OptInt(string name) => root[name] is JsonValue v && v.TryGetValue<int>(out int x) ? x : null;
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
            RmsNormEps = root["rms_norm_eps"]?.GetValue<double>() ?? 1e-6,
            RopeTheta = root["rope_theta"]?.GetValue<double>() ?? 10000.0,
            TieWordEmbeddings = root["tie_word_embeddings"]?.GetValue<bool>() ?? false,
            QkvBias = qkvBias,
            GateUpBias = mlpBias,
            MaxPositionEmbeddings = OptInt("max_position_embeddings") ?? 2048,
            SlidingWindow = root["use_sliding_window"]?.GetValue<bool>() == false ? null : OptInt("sliding_window"),
            BosTokenId = OptInt("bos_token_id"),
            EosTokenId = OptInt("eos_token_id"),
            TorchDtype = root["torch_dtype"]?.GetValue<string>() ?? "float32",
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
            ["hidden_size"] = c.HiddenSize,
            ["intermediate_size"] = c.IntermediateSize,
            ["num_hidden_layers"] = c.NumLayers,
            ["num_attention_heads"] = c.NumAttentionHeads,
            ["num_key_value_heads"] = c.NumKeyValueHeads,
            ["head_dim"] = c.HeadDim,
            ["vocab_size"] = c.VocabSize,
            ["max_position_embeddings"] = c.MaxPositionEmbeddings,
            ["rms_norm_eps"] = c.RmsNormEps,
            ["rope_theta"] = c.RopeTheta,
            ["hidden_act"] = "silu",
            ["attention_bias"] = c.ModelType != "qwen2" && c.QkvBias,
            ["mlp_bias"] = c.GateUpBias,
            ["tie_word_embeddings"] = c.TieWordEmbeddings,
            ["torch_dtype"] = torchDtype,
            ["bos_token_id"] = c.BosTokenId,
            ["eos_token_id"] = c.EosTokenId,
        };
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

    public static void Write(ModelConfig c, string torchDtype, string path) =>
        File.WriteAllText(path, ToJson(c, torchDtype).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
}

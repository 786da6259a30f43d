using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Search.Model.Checkpoints;

/// <summary>
/// Loads and saves Hugging Face LLaMA-family folders: <c>config.json</c> plus either
/// <c>model.safetensors</c> or shards listed in <c>model.safetensors.index.json</c>.
/// </summary>
public static class Checkpoint
{
    public const string IndexFile = "model.safetensors.index.json";
    public const string SingleFile = "model.safetensors";

    /// <summary>Files copied next to an exported model so it keeps its tokenizer.</summary>
    public static readonly string[] TokenizerFiles =
        ["tokenizer.model", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json"];

    /// <summary>
    /// Loads a checkpoint that computes in <paramref name="dtype"/> on <paramref name="device"/>.
    /// <see cref="WeightResidency.Mapped"/> (the default) leaves the weights in the memory-mapped
    /// files in their stored dtype — nothing is read until used, the page cache holds what is, and a
    /// model larger than memory streams layer by layer (<see cref="Transformer.Layer"/> converts and
    /// moves one layer at a time). <see cref="WeightResidency.Resident"/> copies every tensor into
    /// memory in the compute dtype on the device (fastest when it fits).
    /// </summary>
    public static Transformer Load(string dir, ScalarType dtype = ScalarType.Float32, Device? device = null,
        WeightResidency residency = WeightResidency.Mapped)
    {
        if (!Directory.Exists(dir)) throw new UserInputException($"{dir}: model folder not found");
        var config = ModelConfigJson.Read(Path.Combine(dir, "config.json"));
        var files = OpenWeightFiles(dir);
        try
        {
            var reader = new TensorReader(files, dtype, device ?? CPU, residency);
            return Build(config, reader, dtype, device ?? CPU);
        }
        finally
        {
            foreach (var f in files.Values.Distinct()) f.Dispose();
        }
    }

    /// <summary>Maps every tensor name to the safetensors file that holds it.</summary>
    private static Dictionary<string, SafetensorsFile> OpenWeightFiles(string dir)
    {
        var map = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        string index = Path.Combine(dir, IndexFile), single = Path.Combine(dir, SingleFile);
        if (File.Exists(index))
        {
            JsonObject weightMap;
            try
            {
                weightMap = JsonNode.Parse(File.ReadAllText(index))?["weight_map"] as JsonObject
                            ?? throw new UserInputException($"{index}: field 'weight_map' is missing");
            }
            catch (JsonException e) { throw new UserInputException($"{index}: not valid JSON ({e.Message.Split('\n')[0]})"); }
            var opened = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
            try
            {
                foreach (var (name, node) in weightMap)
                {
                    string shard = node?.GetValue<string>() ?? throw new UserInputException($"{index}: '{name}' has no shard");
                    if (!opened.TryGetValue(shard, out var f))
                        opened[shard] = f = SafetensorsFile.Open(Path.Combine(dir, shard));
                    map[name] = f;
                }
            }
            catch
            {
                foreach (var f in opened.Values) f.Dispose();
                throw;
            }
        }
        else if (File.Exists(single))
        {
            var f = SafetensorsFile.Open(single);
            foreach (var name in f.Entries.Keys) map[name] = f;
        }
        else
        {
            throw new UserInputException($"{dir}: no {SingleFile} or {IndexFile} found");
        }
        return map;
    }

    private sealed class TensorReader(Dictionary<string, SafetensorsFile> files, ScalarType dtype, Device device, WeightResidency residency)
    {
        private static readonly HashSet<string> WeightDtypes = ["F32", "F16", "BF16", "F64"];

        public bool Has(string name) => files.ContainsKey(name);

        public Tensor Read(string name, params long[] expectedShape)
        {
            if (!files.TryGetValue(name, out var f))
                throw new UserInputException($"checkpoint is missing tensor '{name}'");
            var shape = f.Entries[name].Shape;
            if (!shape.SequenceEqual(expectedShape))
                throw new UserInputException(
                    $"{f.Path}: tensor '{name}' has shape [{string.Join(", ", shape)}], config.json implies [{string.Join(", ", expectedShape)}]");
            // Integer or bool bytes would convert to float "weights" without complaint and score garbage.
            if (!WeightDtypes.Contains(f.Entries[name].Dtype))
                throw new UserInputException(
                    $"{f.Path}: tensor '{name}' is stored as {f.Entries[name].Dtype}; model weights must be F32, F16, BF16 or F64");
            if (residency == WeightResidency.Mapped && f.TryView(name) is { } view) return view;
            var t = f.Read(name, dtype);
            if (device.type == TorchSharp.DeviceType.CPU) return t;
            var moved = t.to(device);
            t.Dispose();
            return moved;
        }

    }

    private static Transformer Build(ModelConfig c, TensorReader r, ScalarType dtype, Device device)
    {
        long d = c.HiddenSize;
        var layers = new List<DecoderLayerWeights>(c.NumLayers);
        try
        {
            var embedding = r.Read("model.embed_tokens.weight", c.VocabSize, d);
            for (int i = 0; i < c.NumLayers; i++)
            {
                var w = c.Layers[i];
                layers.Add(DecoderLayerWeights.Create(w, kind => LayerTensors.Shape(kind, w, c) is { } shape
                    ? r.Read($"model.layers.{i}.{LayerTensors.HfName(kind)}", shape)
                    : null));
            }
            var norm = r.Read("model.norm.weight", d);
            // Tied checkpoints may still carry an lm_head copy (stories260K does); the embedding wins.
            var lmHead = c.TieWordEmbeddings ? null : r.Read("lm_head.weight", c.VocabSize, d);
            return new Transformer(c, embedding, norm, lmHead, layers, dtype, device);
        }
        catch
        {
            foreach (var l in layers) l.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes an HF folder: config.json (with per-layer widths when pruned), safetensors
    /// (sharded with an index when the weights exceed <paramref name="maxShardBytes"/>), and the
    /// tokenizer files of <paramref name="tokenizerSourceDir"/>. Layers are written one at a time
    /// (<see cref="IDecoderLayers.StoredLayer"/>), in the dtype the dense checkpoint stores, so a pruned
    /// model built layer by layer is saved without being held whole.
    /// </summary>
    public static void Save(IDecoderLayers model, string dir, string? tokenizerSourceDir = null, long maxShardBytes = 4L << 30)
    {
        var host = model.Host;
        var c = model.Config;
        Directory.CreateDirectory(dir);
        foreach (var stale in Directory.GetFiles(dir, "model*.safetensors*")) File.Delete(stale);
        ModelConfigJson.Write(c, DtypeName(host.Embedding.dtype), Path.Combine(dir, "config.json"));

        // Every tensor declared up front (name, dtype, shape) with where its data comes from.
        var declared = new List<(SafetensorsWriter.Entry Entry, int Layer, LayerTensor Kind, Tensor? Fixed)>
        {
            (new("model.embed_tokens.weight", host.Embedding.dtype, host.Embedding.shape), -1, default, host.Embedding),
        };
        for (int l = 0; l < c.NumLayers; l++)
        {
            var layerDtype = host.Layers[l].InputNorm.dtype;
            foreach (var kind in LayerTensors.SaveOrder)
                if (LayerTensors.Shape(kind, c.Layers[l], c) is { } shape)
                    declared.Add((new($"model.layers.{l}.{LayerTensors.HfName(kind)}", layerDtype, shape), l, kind, null));
        }
        declared.Add((new("model.norm.weight", host.FinalNorm.dtype, host.FinalNorm.shape), -1, default, host.FinalNorm));
        if (!ReferenceEquals(host.LmHead, host.Embedding))
            declared.Add((new("lm_head.weight", host.LmHead.dtype, host.LmHead.shape), -1, default, host.LmHead));

        DecoderLayerWeights? layer = null;
        int layerIndex = -1;
        try
        {
            ShardedWriter.Write(dir, declared.Select(d => d.Entry).ToList(), i =>
            {
                var (_, l, kind, fixedTensor) = declared[i];
                if (fixedTensor is not null) return (fixedTensor, false);
                if (l != layerIndex)
                {
                    layer?.Dispose();
                    layer = model.StoredLayer(l);
                    layerIndex = l;
                }
                return (layer![kind] ?? throw new InvalidOperationException($"layer {l} has no {kind} although its widths declare one"), false);
            }, maxShardBytes);
        }
        finally
        {
            layer?.Dispose();
        }
        if (tokenizerSourceDir is not null && Path.GetFullPath(tokenizerSourceDir) != Path.GetFullPath(dir))
            foreach (var f in TokenizerFiles)
            {
                string src = Path.Combine(tokenizerSourceDir, f);
                if (File.Exists(src)) File.Copy(src, Path.Combine(dir, f), overwrite: true);
            }
    }

    public static string DtypeName(ScalarType t) => t switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.Float16 => "float16",
        ScalarType.BFloat16 => "bfloat16",
        _ => throw new ArgumentException($"unsupported model dtype {t}"),
    };

    public static ScalarType ParseDtype(string name) => name.ToLowerInvariant() switch
    {
        "float32" or "fp32" or "f32" => ScalarType.Float32,
        "float16" or "fp16" or "f16" or "half" => ScalarType.Float16,
        "bfloat16" or "bf16" => ScalarType.BFloat16,
        _ => throw new UserInputException($"unknown dtype '{name}' (expected float32, float16 or bfloat16)"),
    };

    /// <summary>The SHA-256 of the checkpoint's files (see <see cref="CheckpointHash"/>), 16 hex digits.</summary>
    public static string ContentHash(string dir) => CheckpointHash.Of(dir);
}

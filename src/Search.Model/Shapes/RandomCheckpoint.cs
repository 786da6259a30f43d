using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Search.Model.Checkpoints;
using static TorchSharp.torch;

namespace Search.Model.Shapes;

/// <summary>
/// Writes a random-weight checkpoint of a real shape as a normal HF folder: config.json,
/// safetensors sharded where the published model is (so a 7B stand-in is split like the real one),
/// the tokenizer files of a tokenizer folder, and <c>random_init.json</c> saying what it is.
/// Deterministic: every tensor comes from its own generator seeded by (seed, tensor name), so the
/// same command writes the same bytes on any machine with this libtorch, and tensors are made one
/// at a time (a 27 GB float32 7B model is written in the memory of its largest tensor).
/// Weights ~ N(0, 0.02²), RMSNorm weights ~ 1 + N(0, 0.05²), biases ~ N(0, 0.02²).
/// </summary>
public static class RandomCheckpoint
{
    public const string ProvenanceFile = "random_init.json";

    /// <param name="layers">Fewer layers than the real model (same layer shape), for quick tests; null keeps the real count.</param>
    public static void Write(ModelShape shape, ScalarType dtype, long seed, string outDir, string? tokenizerDir,
        int? layers = null, Action<string>? log = null)
    {
        var config = shape.Config(layers);
        if (!IsEmptyTarget(outDir))
            throw new UserInputException($"output folder {outDir} exists and is not empty");
        Directory.CreateDirectory(outDir);
        ModelConfigJson.Write(config, Checkpoint.DtypeName(dtype), Path.Combine(outDir, "config.json"));

        var entries = new List<SafetensorsWriter.Entry> { new("model.embed_tokens.weight", dtype, [config.VocabSize, config.HiddenSize]) };
        for (int l = 0; l < config.NumLayers; l++)
            foreach (var kind in LayerTensors.SaveOrder)
                if (LayerTensors.Shape(kind, config.Layers[l], config) is { } s)
                    entries.Add(new($"model.layers.{l}.{LayerTensors.HfName(kind)}", dtype, s));
        entries.Add(new("model.norm.weight", dtype, [config.HiddenSize]));
        if (!config.TieWordEmbeddings) entries.Add(new("lm_head.weight", dtype, [config.VocabSize, config.HiddenSize]));

        long total = entries.Sum(e => e.Bytes);
        long maxShard = shape.Shards <= 1 ? long.MaxValue : (total + shape.Shards - 1) / shape.Shards;
        log?.Invoke($"writing {shape.Name}{(layers is null ? "" : $" ({layers} layers)")} in {Checkpoint.DtypeName(dtype)}: " +
                    $"{config.ParameterCount():N0} parameters, {total / 1e9:F2} GB, seed {seed}");
        ShardedWriter.Write(outDir, entries, i => (Make(entries[i], seed), true), maxShard);

        string? copiedFrom = CopyTokenizer(tokenizerDir, outDir);
        File.WriteAllText(Path.Combine(outDir, ProvenanceFile), JsonSerializer.Serialize(new
        {
            shape = shape.Name,
            source = shape.Source,
            layers = config.NumLayers,
            dtype = Checkpoint.DtypeName(dtype),
            seed,
            init = "weights N(0, 0.02^2); RMSNorm 1 + N(0, 0.05^2); per-tensor generator seeded by SHA-256(seed, name)",
            tokenizer = copiedFrom,
        }, new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    private static Tensor Make(SafetensorsWriter.Entry e, long seed)
    {
        using var gen = new Generator(TensorSeed(seed, e.Name));
        using var scope = NewDisposeScope();
        var noise = randn(e.Shape, ScalarType.Float32, generator: gen);
        var values = e.Name.EndsWith("norm.weight", StringComparison.Ordinal) ? noise * 0.05f + 1.0f : noise * 0.02f;
        return values.to_type(e.Dtype).MoveToOuterDisposeScope();
    }

    private static ulong TensorSeed(long seed, string name) =>
        BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}:{name}")), 0);

    /// <summary>Whether <paramref name="outDir"/> can take a new checkpoint: it does not exist, or is an empty folder.</summary>
    public static bool IsEmptyTarget(string outDir) => !(Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any());

    /// <summary>Why <paramref name="tokenizerDir"/> cannot give the tokenizer files ("folder not found", …), or null when it can.</summary>
    public static string? TokenizerProblem(string tokenizerDir) =>
        !Directory.Exists(tokenizerDir) ? "folder not found"
        : !File.Exists(Path.Combine(tokenizerDir, "tokenizer.model")) && !File.Exists(Path.Combine(tokenizerDir, "tokenizer.json")) ? "no tokenizer.model or tokenizer.json"
        : null;

    /// <summary>Copies tokenizer files; returns the folder they came from, or null when none was given.</summary>
    private static string? CopyTokenizer(string? tokenizerDir, string outDir)
    {
        if (tokenizerDir is null) return null;
        if (TokenizerProblem(tokenizerDir) is { } problem) throw new UserInputException($"tokenizer folder {tokenizerDir}: {problem}");
        var files = Checkpoint.TokenizerFiles.Where(f => File.Exists(Path.Combine(tokenizerDir, f))).ToList();
        foreach (var f in files) File.Copy(Path.Combine(tokenizerDir, f), Path.Combine(outDir, f));
        return Path.GetFullPath(tokenizerDir);
    }
}

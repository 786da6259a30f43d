namespace Search.Model.Export;

/// <summary>The file layouts a pruned (or dense) model is written in.</summary>
public enum ExportFormat
{
    /// <summary>Our compact HF folder: exact per-layer widths in config.json's <c>prunesearch_layers</c> (what PruneSearch reloads fastest).</summary>
    Hf,
    /// <summary>One GGUF file llama.cpp loads: <c>llama</c> when widths are uniform, <c>deci</c> when they differ per layer.</summary>
    Gguf,
    /// <summary>A stock LlamaForCausalLM folder: dense widths, pruned heads and channels as exact zeros, biases via attention_bias/mlp_bias.</summary>
    HfPadded,
    /// <summary>A Nemotron-NAS / DeciLM folder (block_configs) that vLLM serves natively.</summary>
    DeciLm,
}

/// <summary>Command-line names of <see cref="ExportFormat"/> and <see cref="GgufFileType"/>.</summary>
public static class ExportFormats
{
    public const string Names = "hf, gguf, hf-padded or decilm";

    public static ExportFormat Parse(string value, string flag = "--format") => value.Trim().ToLowerInvariant() switch
    {
        "hf" => ExportFormat.Hf,
        "gguf" => ExportFormat.Gguf,
        "hf-padded" => ExportFormat.HfPadded,
        "decilm" or "nemotron-nas" => ExportFormat.DeciLm,
        _ => throw new UserInputException($"{flag}: unknown format '{value}' (expected {Names})"),
    };

    public static string Name(ExportFormat format) => format switch
    {
        ExportFormat.Hf => "hf",
        ExportFormat.Gguf => "gguf",
        ExportFormat.HfPadded => "hf-padded",
        _ => "decilm",
    };

    public static GgufFileType ParseGgufType(string value, string flag) => value.Trim().ToLowerInvariant() switch
    {
        "f32" or "float32" => GgufFileType.F32,
        "f16" or "float16" => GgufFileType.F16,
        _ => throw new UserInputException($"{flag}: unknown GGUF weight type '{value}' (expected f32 or f16)"),
    };

    public static string Name(GgufFileType type) => type == GgufFileType.F16 ? "f16" : "f32";
}

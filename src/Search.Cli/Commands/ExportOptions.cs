using System.CommandLine;
using Search.Model;
using Search.Application.Export;
using Search.Model.Export;
using Search.Runtime.LlamaCpp;

namespace Search.Cli.Commands;

/// <summary>The options export and prune share to choose a deployment format, defined once.</summary>
public static class ExportOptions
{
    public static Option<string> Format() => new("--format")
    {
        Description = "hf (compact: exact per-layer widths, reloads in PruneSearch), gguf (llama.cpp; llama or deci architecture), " +
                      "hf-padded (stock transformers LlamaForCausalLM: dense widths, pruned units as exact zeros), " +
                      "decilm (Nemotron-NAS block_configs, served by vLLM)",
        DefaultValueFactory = _ => "hf",
    };

    public static Option<string?> GgufType(string name) => new(name)
    {
        Description = "GGUF weight matrices: f32 (default) or f16 (norms and biases stay f32); --format gguf only",
    };

    public static Option<bool> PadHeads() => new("--pad-heads")
    {
        Description = "decilm: give layers that lost query heads zero heads up to num_attention_heads (exact; vLLM's DeciLM " +
                      "needs the same query-head count in every layer), instead of refusing them; --format decilm only",
    };

    public static Option<string?> Quant() => new("--quant")
    {
        Description = $"gguf: quantize with llama.cpp's own quantizer ({GgufQuantization.Names}) from an f32 GGUF; prints per tensor type " +
                      "what was quantized and every fallback, and llama.cpp's perplexity of the quantized file against the f32 file's",
    };

    /// <summary>Parses the options; a format-specific option given with another format is a user error.</summary>
    public static ExportTarget Target(string format, string? ggufType, string ggufFlag, bool padHeads, string? quant = null)
    {
        var f = ExportFormats.Parse(format);
        if (ggufType is not null && f != ExportFormat.Gguf)
            throw new UserInputException($"{ggufFlag} sets the GGUF weight type and needs --format gguf (got --format {format})");
        if (padHeads && f != ExportFormat.DeciLm)
            throw new UserInputException($"--pad-heads applies to --format decilm only (got --format {format})");
        if (quant is not null && f != ExportFormat.Gguf)
            throw new UserInputException($"--quant quantizes a GGUF and needs --format gguf (got --format {format})");
        if (quant is not null && ggufType is not null)
            throw new UserInputException($"--quant quantizes from an f32 GGUF; {ggufFlag} applies to unquantized GGUFs only");
        var type = ggufType is null ? GgufFileType.F32 : ExportFormats.ParseGgufType(ggufType, ggufFlag);
        var q = quant is null ? null : GgufQuantization.Parse(quant, "--quant");
        return new ExportTarget(f, type, f == ExportFormat.DeciLm ? new DeciLmOptions(padHeads) : null, q);
    }
}

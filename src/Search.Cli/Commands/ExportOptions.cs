using System.CommandLine;
using Search.Model;
using Search.Model.Export;
using Search.Runtime.LlamaCpp;

namespace Search.Cli.Commands;

/// <summary>What to write: the format and its format-specific choices.</summary>
/// <param name="Quant">gguf --quant: quantized by llama.cpp from an f32 GGUF (null: f32/f16 as GgufType says).</param>
public sealed record ExportTarget(ExportFormat Format, GgufFileType GgufType, DeciLmOptions? DeciLm, GgufQuantization? Quant = null);

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

    /// <summary>
    /// Writes <paramref name="model"/> as <paramref name="target"/> says: through llama.cpp's quantizer
    /// (scored on <paramref name="windows"/> against its f32 source) when it asks for a quantization.
    /// </summary>
    public static (ExportedModel Written, QuantizedGguf? Quantized) Write(IDecoderLayers model, string tokenizerDir, string outPath,
        ExportTarget target, int threads, GgufCheckWindows? windows)
    {
        if (target.Quant is not { } quant)
            return (ModelExport.Write(model, tokenizerDir, outPath, target.Format, target.GgufType, target.DeciLm), null);
        if (LlamaCppRuntime.Unavailable() is { } reason)
            throw new UserInputException($"--quant needs llama.cpp's quantizer, and llama.cpp did not load ({reason})");
        var quantized = QuantizedExport.Write(model, tokenizerDir, outPath, quant, threads, windows);
        return (quantized.Written, quantized);
    }

    /// <summary>The folder an export writes into (for a .gguf file path, its parent).</summary>
    public static string FolderOf(string outPath, ExportFormat format) =>
        format == ExportFormat.Gguf && outPath.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase)
            ? Path.GetDirectoryName(Path.GetFullPath(outPath))!
            : outPath;
}

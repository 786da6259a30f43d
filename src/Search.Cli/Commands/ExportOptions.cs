using System.CommandLine;
using Search.Model;
using Search.Model.Export;

namespace Search.Cli.Commands;

/// <summary>What to write: the format and its format-specific choices.</summary>
public sealed record ExportTarget(ExportFormat Format, GgufFileType GgufType, DeciLmOptions? DeciLm);

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

    /// <summary>Parses the three options; a format-specific option given with another format is a user error.</summary>
    public static ExportTarget Target(string format, string? ggufType, string ggufFlag, bool padHeads)
    {
        var f = ExportFormats.Parse(format);
        if (ggufType is not null && f != ExportFormat.Gguf)
            throw new UserInputException($"{ggufFlag} sets the GGUF weight type and needs --format gguf (got --format {format})");
        if (padHeads && f != ExportFormat.DeciLm)
            throw new UserInputException($"--pad-heads applies to --format decilm only (got --format {format})");
        var type = ggufType is null ? GgufFileType.F32 : ExportFormats.ParseGgufType(ggufType, ggufFlag);
        return new ExportTarget(f, type, f == ExportFormat.DeciLm ? new DeciLmOptions(padHeads) : null);
    }

    /// <summary>The folder an export writes into (for a .gguf file path, its parent).</summary>
    public static string FolderOf(string outPath, ExportFormat format) =>
        format == ExportFormat.Gguf && outPath.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase)
            ? Path.GetDirectoryName(Path.GetFullPath(outPath))!
            : outPath;
}

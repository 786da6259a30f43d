using Search.Model.Export;
using Search.Runtime.LlamaCpp;

namespace Search.Application.Export;

/// <summary>What to write: the format and its format-specific choices.</summary>
/// <param name="Quant">A GGUF quantized by llama.cpp from an f32 GGUF (null: f32/f16 as GgufType says).</param>
public sealed record ExportTarget(ExportFormat Format, GgufFileType GgufType, DeciLmOptions? DeciLm, GgufQuantization? Quant = null)
{
    /// <summary>The folder an export writes into (for a .gguf file path, its parent).</summary>
    public string FolderOf(string outPath) =>
        Format == ExportFormat.Gguf && outPath.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase)
            ? Path.GetDirectoryName(Path.GetFullPath(outPath))!
            : outPath;

    /// <summary>
    /// Writes <paramref name="model"/> in this format: through llama.cpp's quantizer (scored on
    /// <paramref name="windows"/> against its f32 source) when a quantization is asked for.
    /// </summary>
    public (ExportedModel Written, QuantizedGguf? Quantized) Write(Search.Model.IDecoderLayers model, string tokenizerDir, string outPath,
        int threads, GgufCheckWindows? windows)
    {
        if (Quant is not { } quant)
            return (ModelExport.Write(model, tokenizerDir, outPath, Format, GgufType, DeciLm), null);
        if (LlamaCppRuntime.Unavailable() is { } reason)
            throw new Search.Model.UserInputException($"quantizing a GGUF ({quant.Name}) needs llama.cpp's quantizer, and llama.cpp did not load ({reason})");
        var quantized = QuantizedExport.Write(model, tokenizerDir, outPath, quant, threads, windows);
        return (quantized.Written, quantized);
    }
}

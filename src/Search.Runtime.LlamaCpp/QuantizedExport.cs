using System.Globalization;
using Search.Model;
using Search.Model.Export;

namespace Search.Runtime.LlamaCpp;

/// <summary>Token windows a GGUF is scored on: row-major [Count, SeqLen] ids, positions 1…SeqLen−1 scored.</summary>
public sealed record GgufCheckWindows(long[] Ids, int Count, int SeqLen);

/// <summary>
/// llama.cpp's perplexity of the quantized file and of the f32 file it was made from, on the same
/// windows, both in exact mode (f32 KV cache, flash attention off: only the weights differ).
/// </summary>
public sealed record QuantizedPerplexity(double F32, double Quantized, int Windows, int SeqLen, double Tolerance)
{
    public double RelativeDifference => Math.Abs(Quantized - F32) / F32;
    public bool Passed => RelativeDifference < Tolerance;

    public string Line(string quantization) => string.Create(CultureInfo.InvariantCulture,
        $"llama.cpp ppl on the same {Windows}x{SeqLen} windows: f32 {F32:R}, {quantization} {Quantized:R}, relative difference " +
        $"{RelativeDifference:0.00E+0} (bar {Tolerance:0.###}): {(Passed ? "within" : "BEYOND")} the {quantization} tolerance");
}

/// <summary>What <see cref="QuantizedExport.Write"/> wrote and measured.</summary>
/// <param name="Check">Null when no windows were given.</param>
public sealed record QuantizedGguf(ExportedModel Written, GgufQuantizationReport Report, QuantizedPerplexity? Check);

/// <summary>
/// A pruned (or dense) model as a quantized GGUF: our f32 GGUF first (<see cref="GgufWriter"/>: llama
/// or deci), then llama.cpp's quantizer on it (<see cref="LlamaCppQuantizer"/>), then — with windows —
/// both files loaded in llama.cpp and scored on them, so the quantization's cost in perplexity is
/// measured against exactly the file it started from. The f32 file is a temporary beside the output.
/// </summary>
public static class QuantizedExport
{
    public static QuantizedGguf Write(IDecoderLayers model, string tokenizerDir, string outPath, GgufQuantization quantization,
        int threads, GgufCheckWindows? windows)
    {
        string file = ModelExport.GgufPath(outPath, quantization);
        ExportedModel? f32 = null;
        QuantizedPerplexity? check = null;
        var report = LlamaCppQuantizer.QuantizeFromF32(source => f32 = ModelExport.Write(model, tokenizerDir, source, ExportFormat.Gguf),
            file, quantization, threads, source =>
            {
                if (windows is null) return;
                double Ppl(string path)
                {
                    using var gguf = LlamaCppModel.Load(path, windows.SeqLen, threads);
                    return gguf.Perplexity(windows.Ids, windows.Count, windows.SeqLen);
                }
                check = new QuantizedPerplexity(Ppl(source), Ppl(file), windows.Count, windows.SeqLen, quantization.PerplexityTolerance);
            });
        return new QuantizedGguf(f32! with { Path = file }, report, check);
    }
}

using System.Globalization;

namespace Search.Model.Export;

/// <summary>One tensor of a quantized GGUF next to its f32 source.</summary>
/// <param name="Requested">The type the quantization asks for on a weight matrix (for a fallback: what llama.cpp
/// would have written had the row fit); null for vectors, which are never quantized.</param>
/// <param name="Fallback">A weight matrix written in a type outside the quantization's family (a bigger one).</param>
public sealed record QuantizedTensor(string Name, string Shape, long RowLength, string SourceType, string Type, string? Requested,
    bool Fallback, long SourceBytes, long Bytes);

/// <summary>Tensors of one written type: how many, their bytes, and how many of them are fallbacks.</summary>
public sealed record QuantizedTypeCount(string Type, int Tensors, long Bytes, int Fallbacks);

/// <summary>
/// What llama.cpp's quantizer did to every tensor, read back from the two files' tensor tables (never
/// from its log): per written type the count and bytes, and each weight matrix that fell back to a
/// type outside the quantization's family because its row length is no multiple of the block
/// (<see cref="GgufQuantization.RowMultiple"/>). The requested type of a fallback is the one
/// llama.cpp's fallback rule replaces by the written one (q4_K → q5_0, q5_K → q5_1, q6_K → q8_0;
/// f16 when even that block does not fit, and for q4_0/q8_0, which have no fallback in llama.cpp,
/// our per-tensor f16 override).
/// </summary>
public sealed record GgufQuantizationReport(GgufQuantization Quantization, long SourceFileBytes, long FileBytes,
    IReadOnlyList<QuantizedTensor> Tensors)
{
    public IReadOnlyList<QuantizedTensor> Fallbacks => Tensors.Where(t => t.Fallback).ToList();

    public int Matrices => Tensors.Count(t => t.Requested is not null);

    /// <summary>Written types, the quantization's family first, then fallbacks, then vectors.</summary>
    public IReadOnlyList<QuantizedTypeCount> ByType => Tensors
        .GroupBy(t => t.Type)
        .Select(g => new QuantizedTypeCount(g.Key, g.Count(), g.Sum(t => t.Bytes), g.Count(t => t.Fallback)))
        .OrderBy(c => c.Fallbacks > 0 ? 1 : c.Type == "f32" ? 2 : 0).ThenBy(c => c.Type, StringComparer.Ordinal)
        .ToList();

    public static GgufQuantizationReport Of(GgufTensorTable source, GgufTensorTable quantized, GgufQuantization quantization)
    {
        var tensors = quantized.Tensors.Select(t =>
        {
            var s = source[t.Name];
            if (!t.IsMatrix)
                return new QuantizedTensor(t.Name, t.Shape, t.RowLength, s.TypeName, t.TypeName, null, false, s.Bytes, t.Bytes);
            bool fallback = !quantization.Family.Contains(t.Type);
            string requested = fallback ? RequestedBefore(t.Type, quantization) : t.TypeName;
            return new QuantizedTensor(t.Name, t.Shape, t.RowLength, s.TypeName, t.TypeName, requested, fallback, s.Bytes, t.Bytes);
        }).ToList();
        return new GgufQuantizationReport(quantization, source.FileBytes, quantized.FileBytes, tensors);
    }

    /// <summary>llama.cpp's fallback rule run backwards (llama-quant.cpp, tensor_type_fallback).</summary>
    private static string RequestedBefore(uint written, GgufQuantization q) => written switch
    {
        GgmlTypes.Q5_0 when q.Family.Contains(GgmlTypes.Q4_K) => GgmlTypes.Name(GgmlTypes.Q4_K),
        GgmlTypes.Q5_1 when q.Family.Contains(GgmlTypes.Q5_K) => GgmlTypes.Name(GgmlTypes.Q5_K),
        GgmlTypes.Q8_0 when q.Family.Contains(GgmlTypes.Q6_K) => GgmlTypes.Name(GgmlTypes.Q6_K),
        _ => q.MainType,
    };

    /// <summary>Block length of a requested type: 256 for k-quants, 32 for the legacy types.</summary>
    private static int BlockOf(string type) => type.EndsWith("_K", StringComparison.Ordinal) ? 256 : 32;

    /// <summary>Human-readable lines: totals, per type, then up to <paramref name="maxFallbacks"/> fallbacks.</summary>
    public IEnumerable<string> Lines(int maxFallbacks = 12)
    {
        var inv = CultureInfo.InvariantCulture;
        yield return string.Create(inv,
            $"quantized by llama.cpp to {Quantization.Name}: {Megabytes(SourceFileBytes)} (f32) → {Megabytes(FileBytes)}, {Tensors.Count} tensors");
        yield return "  " + string.Join("; ", ByType.Select(c =>
            $"{c.Type}: {c.Tensors} {(c.Type == "f32" && c.Fallbacks == 0 ? "vectors (norms, biases: not quantized)" : "matrices")}, " +
            Megabytes(c.Bytes) + (c.Fallbacks > 0 ? $" ({c.Fallbacks} fallback)" : "")));
        var fallbacks = Fallbacks;
        if (fallbacks.Count == 0)
        {
            yield return $"  no fallback: every weight matrix has the type {Quantization.Name} asks for";
            yield break;
        }
        yield return $"  fallback: {fallbacks.Count} of {Matrices} weight matrices got a bigger type than {Quantization.Name} asks for, their row " +
                     "length being no multiple of the block (--width-multiple N keeps ffn_down rows on it; hidden size and head widths are the model's):";
        foreach (var t in fallbacks.Take(maxFallbacks))
            yield return $"    {t.Name} [{t.Shape}]: row length {t.RowLength} is no multiple of {BlockOf(t.Requested!)}: {t.Requested} → {t.Type}";
        if (fallbacks.Count > maxFallbacks) yield return $"    … and {fallbacks.Count - maxFallbacks} more";
    }

    private static string Megabytes(long bytes) => (bytes / 1e6).ToString(bytes < 10_000_000 ? "0.000" : "0.0", CultureInfo.InvariantCulture) + " MB";
}

using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using LLama.Native;
using Search.Model;
using Search.Model.Export;

namespace Search.Runtime.LlamaCpp;

/// <summary>
/// llama.cpp's own quantizer (<c>llama_model_quantize</c>, what llama-quantize runs), through
/// LLamaSharp 0.30.0's native API: an f32 GGUF in, a GGUF of the requested <c>llama_ftype</c> out,
/// with llama.cpp's per-tensor mixture (q4_k_m: q6_K for the output matrix, attn_v and some
/// ffn_down) and its fallback for rows the block does not divide. No quantization arithmetic is ours.
/// One difference from running llama-quantize on the file: q4_0 and q8_0 have no fallback in
/// llama.cpp (a row length that is no multiple of 32 fails the whole file), so those weight matrices
/// are given an f16 override (llama.cpp's <c>tt_overrides</c>, what <c>--tensor-type</c> sets) — f16 is
/// what llama.cpp itself falls back to for rows no quantized block fits — and reported as fallbacks.
/// </summary>
public static class LlamaCppQuantizer
{
    // struct llama_model_tensor_override { const char * pattern; enum ggml_type type; }: a pointer and an int padded to pointer alignment.
    private static readonly int OverrideBytes = 2 * IntPtr.Size;
    private const int GgmlTypeCount = 40; // GGML_TYPE_COUNT: the terminator's type (ignored with a null pattern)

    /// <summary>
    /// The f32 file <paramref name="writeF32"/> writes (a temporary beside <paramref name="target"/>),
    /// quantized into <paramref name="target"/>; <paramref name="withSource"/> sees both files before the
    /// temporary is deleted (to score the quantized file against its source).
    /// </summary>
    public static GgufQuantizationReport QuantizeFromF32(Action<string> writeF32, string target, GgufQuantization quantization, int threads,
        Action<string>? withSource = null)
    {
        string source = (target.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase) ? target[..^".gguf".Length] : target) + ".f32-source.gguf";
        try
        {
            writeF32(source);
            var report = Quantize(source, target, quantization, threads);
            withSource?.Invoke(source);
            return report;
        }
        finally
        {
            if (File.Exists(source)) File.Delete(source);
        }
    }

    /// <summary>Quantizes <paramref name="source"/> (f32 or f16) into <paramref name="target"/> and reads back what was written.</summary>
    /// <exception cref="UserInputException">llama.cpp refused the file (its error line is in the message).</exception>
    public static GgufQuantizationReport Quantize(string source, string target, GgufQuantization quantization, int threads)
    {
        var sourceTable = GgufTensorTable.Read(source);
        LlamaCppRuntime.EnsureLoaded();
        int errors = LlamaCppRuntime.ErrorCount;
        var odd = quantization.FailsOnOddRows
            ? sourceTable.Tensors.Where(t => t.IsMatrix && t.RowLength % quantization.RowMultiple != 0).Select(t => t.Name).ToList()
            : [];
        string partial = target + ".partial";
        var strings = new List<IntPtr>();
        IntPtr overrides = IntPtr.Zero;
        try
        {
            var p = LLamaModelQuantizeParams.Default();
            p.ftype = (LLamaFtype)quantization.FileType;
            p.nthread = threads;
            if (odd.Count > 0)
            {
                overrides = Marshal.AllocHGlobal(OverrideBytes * (odd.Count + 1));
                for (int i = 0; i <= odd.Count; i++)
                {
                    // std::regex_search on the tensor name: anchor it so blk.1. never matches blk.11.
                    IntPtr pattern = i < odd.Count ? Marshal.StringToCoTaskMemUTF8("^" + Regex.Escape(odd[i]) + "$") : IntPtr.Zero;
                    if (pattern != IntPtr.Zero) strings.Add(pattern);
                    Marshal.WriteIntPtr(overrides, OverrideBytes * i, pattern);
                    Marshal.WriteInt32(overrides, OverrideBytes * i + IntPtr.Size, i < odd.Count ? (int)GgmlTypes.F16 : GgmlTypeCount);
                }
                p.tensor_types = overrides;
            }
            uint status = NativeApi.llama_model_quantize(source, partial, ref p);
            if (status != 0)
                throw new UserInputException(
                    $"{source}: llama.cpp could not quantize it to {quantization.Name} ({LlamaCppRuntime.ErrorsSince(errors)})");
            File.Move(partial, target, overwrite: true);
        }
        finally
        {
            foreach (var s in strings) Marshal.FreeCoTaskMem(s);
            if (overrides != IntPtr.Zero) Marshal.FreeHGlobal(overrides);
            if (File.Exists(partial)) File.Delete(partial);
        }
        return GgufQuantizationReport.Of(sourceTable, GgufTensorTable.Read(target), quantization);
    }
}

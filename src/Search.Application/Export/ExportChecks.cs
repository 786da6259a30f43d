using System.Globalization;
using Search.Data.Evaluation;
using Search.Model;
using Search.Model.Checkpoints;
using Search.Model.Export;
using Search.Objective;
using Search.Runtime.LlamaCpp;
using static TorchSharp.torch;

namespace Search.Application.Export;

/// <summary>The trial's stored proxy perplexity and what it was scored on.</summary>
public sealed record StoredScore(double Ppl, long Tokens, string Split);

/// <summary>Outcome of checking an export; <paramref name="Line"/> is null when nothing could be checked (a warning said why).</summary>
public sealed record ExportCheck(bool Passed, string? Line, double? Measured);

/// <summary>
/// Loads what an export wrote and scores it on the trial's proxy windows against the stored ppl:
/// hf reloads in PruneSearch to the identical ppl; hf-padded reloads (dense widths, exact zeros)
/// within <see cref="PaddedTolerance"/> relative (wider GEMMs may sum in another order); a GGUF
/// loads in llama.cpp (exact mode: f32 KV cache, no flash attention) within
/// <see cref="GgufF32Tolerance"/> (f32 weights) or <see cref="GgufF16Tolerance"/> (f16 weights).
/// DeciLM has no loader here. When llama.cpp's native library does not load, the GGUF is still
/// written and one warning line says it was not checked. A quantized GGUF (--quant) was scored in
/// llama.cpp with the f32 file it was made from (<see cref="QuantizedPerplexity"/>): the f32 file
/// must agree with the stored ppl as above, the quantized one with the f32 file within its type's tolerance.
/// </summary>
public static class ExportChecks
{
    public const double PaddedTolerance = 1e-5;
    public const double GgufF32Tolerance = 1e-3;
    public const double GgufF16Tolerance = 1e-2;

    private static string R(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    public static ExportCheck Run(ExportedModel written, ExportTarget target, StoredScore stored, EvalSet proxy, int threads,
        QuantizedPerplexity? quantized = null)
    {
        string storedText = $"stored proxy ppl {R(stored.Ppl)} ({stored.Tokens} tokens of {stored.Split})";
        if (quantized is not null) return Quantized(quantized, target.Quant!, stored, storedText);
        switch (written.Format)
        {
            case ExportFormat.Hf:
            {
                var reload = Reload(written.Path, proxy);
                bool same = reload.Perplexity == stored.Ppl && reload.Tokens == stored.Tokens;
                return new ExportCheck(same, $"{storedText}; reloaded {R(reload.Perplexity)} ({reload.Tokens} tokens): {(same ? "identical" : "MISMATCH")}",
                    reload.Perplexity);
            }
            case ExportFormat.HfPadded:
            {
                var reload = Reload(written.Path, proxy);
                double rel = Math.Abs(reload.Perplexity - stored.Ppl) / stored.Ppl;
                bool ok = rel < PaddedTolerance && reload.Tokens == stored.Tokens;
                return new ExportCheck(ok, $"{storedText}; padded folder reloaded {R(reload.Perplexity)} ({reload.Tokens} tokens), relative difference " +
                                           $"{rel.ToString("0.00E+0", CultureInfo.InvariantCulture)} (bar {PaddedTolerance.ToString("0E+0", CultureInfo.InvariantCulture)}): {(ok ? "agrees" : "MISMATCH")}", reload.Perplexity);
            }
            case ExportFormat.Gguf:
                return Gguf(written.Path, target.GgufType, stored, storedText, proxy, threads);
            default:
                return new ExportCheck(true, "not checked: PruneSearch has no DeciLM loader (vLLM serves it natively; transformers loads it with trust_remote_code)", null);
        }
    }

    private static NllTotal Reload(string dir, EvalSet proxy)
    {
        using var scope = NewDisposeScope();
        using var reloaded = Checkpoint.Load(dir, ScalarType.Float32, CPU);
        return PerplexityEvaluator.NllSum(reloaded, proxy.Ids, proxy.Count, proxy.SeqLen);
    }

    private static ExportCheck Quantized(QuantizedPerplexity q, GgufQuantization quant, StoredScore stored, string storedText)
    {
        double rel = Math.Abs(q.F32 - stored.Ppl) / stored.Ppl;
        bool ok = rel < GgufF32Tolerance && q.Passed;
        return new ExportCheck(ok, $"{storedText}; f32 source in llama.cpp: relative difference {rel.ToString("0.00E+0", CultureInfo.InvariantCulture)} " +
                                   $"(bar {GgufF32Tolerance.ToString("0E+0", CultureInfo.InvariantCulture)}); {q.Line(quant.Name)}: {(ok ? "agrees" : "MISMATCH")}", q.Quantized);
    }

    private static ExportCheck Gguf(string path, GgufFileType type, StoredScore stored, string storedText, EvalSet proxy, int threads)
    {
        if (LlamaCppRuntime.Unavailable() is { } reason)
        {
            Console.Error.WriteLine($"warning: llama.cpp did not load ({reason}); {path} was written but not checked");
            return new ExportCheck(true, null, null);
        }
        double ppl;
        try
        {
            using var gguf = LlamaCppModel.Load(path, proxy.SeqLen, threads);
            ppl = gguf.Perplexity(proxy.Ids, proxy.Count, proxy.SeqLen);
        }
        catch (UserInputException e)
        {
            return new ExportCheck(false, $"{storedText}; {e.Message}: MISMATCH", null);
        }
        double bar = type == GgufFileType.F16 ? GgufF16Tolerance : GgufF32Tolerance;
        double rel = Math.Abs(ppl - stored.Ppl) / stored.Ppl;
        bool ok = rel < bar;
        return new ExportCheck(ok, $"{storedText}; llama.cpp {R(ppl)} on the same {proxy.Count}x{proxy.SeqLen} windows, relative difference " +
                                   $"{rel.ToString("0.00E+0", CultureInfo.InvariantCulture)} (bar {bar.ToString("0E+0", CultureInfo.InvariantCulture)}, {ExportFormats.Name(type)} weights): {(ok ? "agrees" : "MISMATCH")}", ppl);
    }
}

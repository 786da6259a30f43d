using LLama;
using LLama.Common;
using LLama.Native;
using Search.Model;
using Search.Model.Export;

namespace Search.Runtime.LlamaCpp;

/// <summary>
/// A GGUF file loaded in llama.cpp with one context: logits for token ids we choose (so
/// tokenization never enters a parity check), perplexity under our protocol, and llama.cpp's own
/// tokenizer for checking the exported vocabulary.
/// </summary>
public sealed class LlamaCppModel : IDisposable
{
    private readonly LLamaWeights weights;
    private readonly LLamaContext context;

    public int VocabSize { get; }
    public int ContextSize { get; }
    public int Threads { get; }
    public LlamaCppPrecision Precision { get; }
    /// <summary>The GGUF's general.architecture as llama.cpp read it.</summary>
    public string Architecture { get; }
    /// <summary>"f32", "f16", a quantization of ours ("q4_k_m", …) or "type N", from general.file_type.</summary>
    public string WeightType { get; }

    private LlamaCppModel(LLamaWeights weights, LLamaContext context, int contextSize, int threads, LlamaCppPrecision precision)
    {
        Precision = precision;
        this.weights = weights;
        this.context = context;
        ContextSize = contextSize;
        Threads = threads;
        VocabSize = weights.Vocab.Count;
        Architecture = weights.Metadata.TryGetValue("general.architecture", out var a) ? a : "";
        WeightType = weights.Metadata.TryGetValue("general.file_type", out var t) ? WeightTypeName(t) : "?";
    }

    private static string WeightTypeName(string fileType) => fileType switch
    {
        "0" => "f32",
        "1" => "f16",
        _ => uint.TryParse(fileType, out uint n) && GgufQuantization.OfFileType(n) is { } q ? q.Name : $"type {fileType}",
    };

    /// <param name="contextSize">Longest sequence one call may pass (also the batch size: a window is one batch).</param>
    /// <param name="precision">Exact arithmetic for parity checks, or llama.cpp's defaults for speed.</param>
    public static LlamaCppModel Load(string ggufPath, int contextSize, int threads, LlamaCppPrecision precision = LlamaCppPrecision.Exact)
    {
        if (!File.Exists(ggufPath)) throw new UserInputException($"{ggufPath}: GGUF file not found");
        LlamaCppRuntime.EnsureConfigured();
        int errors = LlamaCppRuntime.ErrorCount;
        var p = new ModelParams(ggufPath)
        {
            ContextSize = (uint)contextSize,
            BatchSize = (uint)contextSize,
            UBatchSize = (uint)contextSize,
            Threads = threads,
            BatchThreads = threads,
            GpuLayerCount = 0,
        };
        if (precision == LlamaCppPrecision.Exact)
        {
            p.TypeK = GGMLType.GGML_TYPE_F32;
            p.TypeV = GGMLType.GGML_TYPE_F32;
            p.FlashAttention = false;
        }
        LLamaWeights w;
        try { w = LLamaWeights.LoadFromFile(p); }
        catch (Exception e) when (e is LLama.Exceptions.LoadWeightsFailedException or LLama.Exceptions.RuntimeError)
        {
            throw new UserInputException($"{ggufPath}: llama.cpp could not load it ({LlamaCppRuntime.ErrorsSince(errors)})", e);
        }
        try
        {
            return new LlamaCppModel(w, w.CreateContext(p), contextSize, threads, precision);
        }
        catch
        {
            w.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Logits [T, V] (row-major) of a fresh sequence of <paramref name="ids"/> (T ≤ context size),
    /// every position requested, as our <c>Transformer.Forward</c> returns them.
    /// </summary>
    public float[] Logits(ReadOnlySpan<long> ids)
    {
        Evaluate(ids, allLogits: true);
        int t = ids.Length, v = VocabSize;
        var result = new float[(long)t * v];
        for (int i = 0; i < t; i++)
            context.NativeHandle.GetLogitsIth(i).CopyTo(result.AsSpan(i * v, v));
        return result;
    }

    /// <summary>
    /// Perplexity under our evaluator's protocol: each window [count, seqLen] (row-major) is a fresh
    /// sequence, positions 1…seqLen−1 are scored, NLL summed in float64, ppl = exp(mean). Computed here
    /// from llama.cpp's logits rather than through Search.Data's <c>NllTotal</c>: this is the
    /// independent side of the GGUF parity check, and this project references only Search.Model.
    /// </summary>
    public double Perplexity(long[] windows, int count, int seqLen)
    {
        double nll = 0;
        long scored = 0;
        for (int wi = 0; wi < count; wi++)
        {
            var ids = windows.AsSpan(wi * seqLen, seqLen);
            Evaluate(ids, allLogits: true);
            for (int i = 0; i < seqLen - 1; i++)
            {
                var logits = context.NativeHandle.GetLogitsIth(i);
                nll += LogSumExp(logits) - logits[(int)ids[i + 1]];
                scored++;
            }
        }
        return Math.Exp(nll / scored);
    }

    /// <summary>llama.cpp's tokenization of <paramref name="text"/> with the GGUF's vocabulary.</summary>
    public int[] Tokenize(string text, bool addBos) =>
        context.Tokenize(text, addBos, special: false).Select(t => (int)t).ToArray();

    /// <summary>Clears the KV cache and runs <paramref name="ids"/> as one batch at positions 0…T−1.</summary>
    internal void Evaluate(ReadOnlySpan<long> ids, bool allLogits)
    {
        if (ids.Length == 0 || ids.Length > ContextSize)
            throw new ArgumentException($"{ids.Length} tokens do not fit a context of {ContextSize}");
        context.NativeHandle.MemoryClear(true);
        var batch = new LLamaBatch();
        for (int i = 0; i < ids.Length; i++)
            batch.Add((int)ids[i], i, LLamaSeqId.Zero, allLogits || i == ids.Length - 1);
        Decode(batch);
    }

    /// <summary>Appends one token at <paramref name="position"/> (its logits requested) to the cached sequence.</summary>
    internal ReadOnlySpan<float> Step(long id, int position)
    {
        var batch = new LLamaBatch();
        batch.Add((int)id, position, LLamaSeqId.Zero, true);
        Decode(batch);
        return context.NativeHandle.GetLogitsIth(0);
    }

    internal ReadOnlySpan<float> LastLogits(int count) => context.NativeHandle.GetLogitsIth(count - 1);

    private void Decode(LLamaBatch batch)
    {
        var result = context.NativeHandle.Decode(batch);
        if (result != DecodeResult.Ok) throw new InvalidOperationException($"llama_decode failed: {result}");
    }

    private static double LogSumExp(ReadOnlySpan<float> x)
    {
        float max = float.NegativeInfinity;
        foreach (float v in x) max = Math.Max(max, v);
        double sum = 0;
        foreach (float v in x) sum += Math.Exp(v - max);
        return max + Math.Log(sum);
    }

    public void Dispose()
    {
        context.Dispose();
        weights.Dispose();
    }
}

using Search.Model.Speed;

namespace Search.Runtime.LlamaCpp;

/// <summary>Greedy batch-1 generation in llama.cpp: the prompt as one batch (logits of its last position), then one token per decode call.</summary>
public sealed class LlamaCppDecodeRunner : IDecodeRunner
{
    private readonly LlamaCppModel model;
    private int position;

    public string Runtime { get; }
    public int Threads => model.Threads;
    public int VocabSize => model.VocabSize;

    /// <param name="capacity">Prompt plus new tokens: the context llama.cpp allocates.</param>
    public LlamaCppDecodeRunner(string ggufPath, int capacity, int threads, LlamaCppPrecision precision)
    {
        model = LlamaCppModel.Load(ggufPath, capacity, threads, precision);
        Runtime = $"llama.cpp (LLamaSharp 0.30.0 CPU) {model.WeightType} weights, " +
                  (precision == LlamaCppPrecision.Exact ? "f32 KV cache, flash attention off" : "defaults: f16 KV cache, flash attention auto");
    }

    public long Prefill(ReadOnlySpan<long> prompt)
    {
        model.Evaluate(prompt, allLogits: false);
        position = prompt.Length;
        return ArgMax(model.LastLogits(prompt.Length));
    }

    public long Step(long token) => ArgMax(model.Step(token, position++));

    private static long ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int i = 1; i < logits.Length; i++)
            if (logits[i] > logits[best]) best = i;
        return best;
    }

    public void Dispose() => model.Dispose();
}

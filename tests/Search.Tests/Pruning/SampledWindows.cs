using Search.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Search.Tests.Pruning;

/// <summary>
/// Token windows sampled from a model itself: from BOS, a seeded multinomial at temperature 1.
/// Stand-in for tokenized TinyStories text until the SentencePiece tokenizer lands; the text these
/// ids spell is the model's own distribution, which is what calibration and perplexity need here.
/// </summary>
internal static class SampledWindows
{
    /// <summary>Row-major [count, seqLen] ids; position 0 of each window is BOS.</summary>
    public static long[] Sample(Transformer model, int count, int seqLen, int seed)
    {
        using var noGrad = no_grad();
        var gen = new Generator((ulong)seed);
        var ids = full([count, 1], (long)(model.Config.BosTokenId ?? 1), ScalarType.Int64).DetachFromDisposeScope(); // [N, 1]
        for (int t = 1; t < seqLen; t++)
        {
            using var scope = NewDisposeScope();
            var logits = model.Forward(ids);                                         // [N, t, V]
            var probs = nn.functional.softmax(logits.select(1, t - 1), -1);          // [N, V]
            var next = multinomial(probs, 1, generator: gen);                        // [N, 1]
            var longer = cat([ids, next], 1).DetachFromDisposeScope();               // [N, t+1]
            ids.Dispose();
            ids = longer;
        }
        var result = ids.contiguous().data<long>().ToArray();
        ids.Dispose();
        return result;
    }
}

using Search.Model;
using Search.Runtime.LlamaCpp;
using static TorchSharp.torch;

namespace Search.Tests.Export;

/// <summary>Our forward vs llama.cpp's on the same token ids: logits and perplexity.</summary>
internal static class LlamaCppParity
{
    public const int Threads = 2;

    /// <summary>max |logits_ours − logits_llama.cpp| over every position and vocabulary entry of <paramref name="ids"/>.</summary>
    public static double MaxLogitDifference(Transformer model, LlamaCppModel gguf, long[] ids)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var ours = model.Forward(tensor(ids, [1, ids.Length], ScalarType.Int64))[0].to_type(ScalarType.Float32); // [T, V]
        var theirs = tensor(gguf.Logits(ids), [ids.Length, gguf.VocabSize]);
        Assert.Equal(ours.shape, theirs.shape);
        return (ours - theirs).abs().max().item<float>();
    }

    /// <summary>exp(mean NLL) over positions 1…seqLen−1 of each window, accumulated in float64.</summary>
    public static double OurPerplexity(Transformer model, long[] windows, int count, int seqLen)
    {
        using var noGrad = no_grad();
        double nll = 0;
        for (int w = 0; w < count; w++)
        {
            using var scope = NewDisposeScope();
            var ids = tensor(windows.AsSpan(w * seqLen, seqLen).ToArray(), [1, seqLen], ScalarType.Int64);
            var logp = model.Forward(ids)[0].narrow(0, 0, seqLen - 1).to_type(ScalarType.Float64).log_softmax(-1); // [T−1, V]
            var targets = ids[0].narrow(0, 1, seqLen - 1).unsqueeze(1);                                              // [T−1, 1]
            nll -= logp.gather(1, targets).sum().item<double>();
        }
        return Math.Exp(nll / ((double)count * (seqLen - 1)));
    }

    public static double RelativeDifference(double a, double b) => Math.Abs(a - b) / Math.Abs(b);
}

using Search.Model;
using static TorchSharp.torch;

namespace Search.Tests.Pruning;

internal static class Logits
{
    /// <summary>max |logits(a) − logits(b)| over the given windows (row-major [count, seqLen]).</summary>
    public static double MaxAbsDifference(Transformer a, Transformer b, long[] windows, int count, int seqLen)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var ids = tensor(windows.AsSpan(0, count * seqLen).ToArray(), [count, seqLen], ScalarType.Int64);
        return (a.Forward(ids) - b.Forward(ids)).abs().max().item<float>();
    }
}

using static TorchSharp.torch;

namespace Search.Model;

/// <summary>
/// Runs token windows through a decoder one LAYER at a time instead of one batch at a time: each
/// layer is built once (<see cref="IDecoderLayers.Layer"/>: a view of mapped weights, a converted
/// copy, or a freshly pruned layer), applied to every batch of a group of windows, and disposed
/// before the next layer is built. Only the group's hidden states [N, T, d] live between layers.
/// That is what lets a model larger than memory stream from its memory-mapped checkpoint (each
/// layer's weights are read once per group, not once per batch), and lets a trial evaluate a pruned
/// model without ever holding it whole. Numerically it is the same computation as
/// <see cref="Transformer.Forward"/>: the same blocks on the same batches.
/// </summary>
public static class LayerStream
{
    /// <summary>Hidden states kept between layers, per group of windows: 512 MiB.</summary>
    public const long DefaultHiddenBudgetBytes = 512L << 20;

    /// <param name="ids">Row-major [count, seqLen] token ids.</param>
    /// <param name="batchSize">Windows per block call (bounds the activation memory of one call).</param>
    /// <param name="observer">Sees o_proj/down_proj inputs; told each batch's first window before its block runs.</param>
    /// <param name="onHidden">Receives (first window, final hidden states [b, T, d]) per batch, in window order; valid during the call.</param>
    public static void Run(IDecoderLayers model, long[] ids, int count, int seqLen, int batchSize,
        IActivationObserver? observer, Action<int, Tensor> onHidden, long hiddenBudgetBytes = DefaultHiddenBudgetBytes)
    {
        if (ids.Length != (long)count * seqLen) throw new ArgumentException($"expected {count}×{seqLen} ids, got {ids.Length}");
        if (batchSize < 1) throw new ArgumentException("batch size must be positive", nameof(batchSize));
        var batches = new List<(int Start, int Count)>();
        for (int s = 0; s < count; s += batchSize) batches.Add((s, Math.Min(batchSize, count - s)));
        Run(model, ids, seqLen, batches, observer, onHidden, hiddenBudgetBytes);
    }

    /// <summary>
    /// Runs the given batches of windows (window ranges of <paramref name="ids"/>, in order; they need not
    /// cover it): the same blocks on the same batches whatever else runs, so a window's activations do
    /// not depend on which other batches a call includes. Consecutive batches share a group while
    /// their hidden states fit <paramref name="hiddenBudgetBytes"/> (at least one batch per group).
    /// </summary>
    public static void Run(IDecoderLayers model, long[] ids, int seqLen, IReadOnlyList<(int Start, int Count)> batches,
        IActivationObserver? observer, Action<int, Tensor> onHidden, long hiddenBudgetBytes = DefaultHiddenBudgetBytes)
    {
        foreach (var (start, n) in batches)
            if (start < 0 || n < 1 || (long)(start + n) * seqLen > ids.Length)
                throw new ArgumentException($"batch [{start}, {start + n}) is outside the {ids.Length / Math.Max(1, seqLen)} windows");
        var host = model.Host;
        long bytesPerWindow = (long)seqLen * model.Config.HiddenSize * ElementSize(host.DType);
        long groupWindows = Math.Max(1, hiddenBudgetBytes / Math.Max(1, bytesPerWindow));
        using var noGrad = no_grad();
        for (int first = 0; first < batches.Count;)
        {
            int last = first + 1;
            long windows = batches[first].Count;
            while (last < batches.Count && windows + batches[last].Count <= groupWindows) windows += batches[last++].Count;
            var hidden = new List<(int Start, Tensor H)>();
            try
            {
                for (int i = first; i < last; i++)
                {
                    var (s, b) = batches[i];
                    using var ids2 = tensor(ids.AsSpan(s * seqLen, b * seqLen).ToArray(), [b, seqLen], ScalarType.Int64); // [b, T]
                    hidden.Add((s, host.Embed(ids2).DetachFromDisposeScope()));                                        // [b, T, d]
                }
                for (int l = 0; l < model.Config.NumLayers; l++)
                {
                    using var scope = NewDisposeScope();
                    using var layer = model.Layer(l);
                    for (int i = 0; i < hidden.Count; i++)
                    {
                        var (start, h) = hidden[i];
                        observer?.BeginBatch(start);
                        var next = host.Block(layer, l, h, observer).DetachFromDisposeScope();
                        h.Dispose();
                        hidden[i] = (start, next);
                    }
                }
                foreach (var (start, h) in hidden) onHidden(start, h);
            }
            finally
            {
                foreach (var (_, h) in hidden) h.Dispose();
            }
            first = last;
        }
    }

    private static long ElementSize(ScalarType t) => t switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float16 or ScalarType.BFloat16 => 2,
        _ => 4,
    };
}

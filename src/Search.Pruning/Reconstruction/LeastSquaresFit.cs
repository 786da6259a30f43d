using Search.Model;
using Search.Pruning.Allocation;
using Search.Pruning.Surgery;
using static TorchSharp.torch;

namespace Search.Pruning.Reconstruction;

/// <summary>
/// Least-squares reconstruction of a pruned model (docs/methods.md §4): for every layer, the kept
/// columns of o_proj and down_proj and a bias are refitted by ridge regression
/// (<see cref="RidgeAccumulator"/>) so the pruned block reproduces the DENSE block's projection
/// output on calibration windows. One layer-by-layer walk over the calibration windows: the dense
/// stream gives the targets; the inputs are the dense activations restricted to the kept channels
/// (one-shot), or — sequential — the activations of the already-refitted pruned model, so each layer
/// also corrects the error of the layers before it (SlimGPT / Týr-style). Within a layer the o_proj
/// refit comes first and the MLP sees its result. Memory: the hidden states of the windows (two
/// streams), one site's normal equations ((k+1)² doubles: 0.6 GB for LLaMA-7B's MLP, accumulated and
/// solved in place) at a time, and the refits so far in file-backed pages.
/// </summary>
public static class LeastSquaresFit
{
    /// <summary>Ridge strength relative to the mean input second moment (SparseGPT's 1% damping).</summary>
    public const double Damping = 0.01;

    /// <param name="pruned">The pruned model without refits (its layers carry the index-selected kept columns).</param>
    /// <param name="ids">Row-major [count, seqLen] calibration token ids.</param>
    public static IReadOnlyList<LayerRefit> Fit(PrunedLayers pruned, PruningPlan plan, long[] ids, int count, int seqLen,
        bool sequential, int batchSize)
    {
        var dense = pruned.Host;
        int hd = dense.Config.HeadDim;
        var refits = new List<LayerRefit>();
        var dStream = new List<Tensor>();
        var pStream = new List<Tensor>();
        using var noGrad = no_grad();
        try
        {
            for (int s = 0; s < count; s += batchSize)
            {
                int b = Math.Min(batchSize, count - s);
                using var batch = tensor(ids.AsSpan(s * seqLen, b * seqLen).ToArray(), [b, seqLen], ScalarType.Int64);
                var h = dense.Embed(batch).DetachFromDisposeScope();                 // [b, T, d]
                dStream.Add(h);
                if (sequential) pStream.Add(h.clone().DetachFromDisposeScope());
            }
            for (int l = 0; l < dense.Config.NumLayers; l++)
            {
                using var scope = NewDisposeScope();
                using var d = dense.Layer(l);
                using var p = pruned.Layer(l);
                var storedDtype = dense.Layers[l].InputNorm.dtype;
                var keptAttention = Index(plan.Layers[l].KeptAttentionChannels(hd), d.InputNorm.device);
                var keptMlp = Index(plan.Layers[l].KeptChannels, d.InputNorm.device);

                // Attention site: target = dense o_proj of dense inputs (its architecture bias, if any, is added back after).
                var (oProj, oBias) = FitSite(dStream, sequential ? pStream : null,
                    dh => dense.AttentionInputs(d, dh), ph => dense.AttentionInputs(p, ph), keptAttention,
                    d.OProj, p.Widths.NumHeads * hd, dense.Config.HiddenSize);
                if (d.OBias is not null) oBias = oBias + d.OBias;
                using var p1 = Replace(p, LayerTensor.OProj, oProj, LayerTensor.OBias, oBias);
                Advance(dStream, x => x + Transformer.AttentionOutput(d, dense.AttentionInputs(d, x), x));
                if (sequential) Advance(pStream, x => x + Transformer.AttentionOutput(p1, dense.AttentionInputs(p1, x), x));

                // MLP site, on the streams after the (refitted) attention.
                var (downProj, downBias) = FitSite(dStream, sequential ? pStream : null,
                    dh => dense.MlpInputs(d, dh), ph => dense.MlpInputs(p1, ph), keptMlp,
                    d.DownProj, p.Widths.IntermediateSize, dense.Config.HiddenSize);
                if (d.DownBias is not null) downBias = downBias + d.DownBias;
                using var p2 = Replace(p1, LayerTensor.DownProj, downProj, LayerTensor.DownBias, downBias);
                Advance(dStream, x => x + Transformer.MlpOutput(d, dense.MlpInputs(d, x), x));
                if (sequential) Advance(pStream, x => x + Transformer.MlpOutput(p2, dense.MlpInputs(p2, x), x));

                // The refitted weights (a quarter of the model at 20% pruning) wait for the evaluation in
                // file-backed pages, not in anonymous memory (FileBackedTensor): peak memory stays one
                // layer's fit above the mapped weights, whatever the depth.
                refits.Add(new LayerRefit(
                    oProj is null ? null : FileBackedTensor.From(oProj.to_type(storedDtype)).DetachFromDisposeScope(),
                    oBias.to_type(storedDtype).DetachFromDisposeScope(),
                    downProj is null ? null : FileBackedTensor.From(downProj.to_type(storedDtype)).DetachFromDisposeScope(),
                    downBias.to_type(storedDtype).DetachFromDisposeScope()));
            }
            return refits;
        }
        catch
        {
            foreach (var r in refits) r.Dispose();
            throw;
        }
        finally
        {
            foreach (var t in dStream.Concat(pStream)) t.Dispose();
        }
    }

    /// <summary>
    /// Accumulates one site's normal equations over every batch and solves them. Inputs are the
    /// pruned stream's activations (sequential) or the dense activations at the kept channels.
    /// </summary>
    private static (Tensor? Weight, Tensor Bias) FitSite(List<Tensor> dStream, List<Tensor>? pStream,
        Func<Tensor, Tensor?> denseInputs, Func<Tensor, Tensor?> prunedInputs, Tensor kept, Tensor? denseWeight, int keptWidth, int hidden)
    {
        var like = dStream[0];
        using var acc = new RidgeAccumulator(keptWidth, hidden, like.device);
        for (int i = 0; i < dStream.Count; i++)
        {
            using var scope = NewDisposeScope();
            var a = denseInputs(dStream[i]);                                                       // [b, T, C] or null
            var y = a is null ? zeros(dStream[i].shape[0] * dStream[i].shape[1], hidden, like.dtype, like.device)
                              : a.reshape(-1, a.shape[2]).mm(denseWeight!.t());                    // [b·T, d]
            Tensor? x = keptWidth == 0 ? null
                : pStream is not null ? prunedInputs(pStream[i])!.reshape(-1, keptWidth)          // [b·T, k]
                : a!.reshape(-1, a.shape[2]).index_select(1, kept);
            acc.Add(x, y);
        }
        return acc.Solve(Damping, like.dtype);
    }

    private static void Advance(List<Tensor> stream, Func<Tensor, Tensor> step)
    {
        for (int i = 0; i < stream.Count; i++)
        {
            using var scope = NewDisposeScope();
            var next = step(stream[i]).DetachFromDisposeScope();
            stream[i].Dispose();
            stream[i] = next;
        }
    }

    private static DecoderLayerWeights Replace(DecoderLayerWeights layer, LayerTensor weightKind, Tensor? weight, LayerTensor biasKind, Tensor bias) =>
        DecoderLayerWeights.Create(layer.Widths, kind =>
            kind == weightKind ? weight?.alias()
            : kind == biasKind ? bias.alias()
            : layer[kind]?.alias());

    private static Tensor Index(int[] indices, Device device) => tensor(indices.Select(i => (long)i).ToArray(), ScalarType.Int64).to(device);
}

using Search.Model;
using Search.Pruning.Allocation;
using Search.Pruning.Reconstruction;
using Search.Pruning.Statistics;

namespace Search.Pruning.Surgery;

/// <summary>
/// The pruned model of a plan, one layer at a time: <see cref="Layer"/> index_selects the kept units
/// of the dense layer, adds the compensation and converts the result to the compute dtype and
/// device, and the caller drops it after use. A trial evaluates through this (with <see cref="LayerStream"/>) and an exporter writes
/// through it, so a pruned copy of the whole model never exists: memory is the dense weights (often
/// memory-mapped) plus one pruned layer.
/// </summary>
public sealed class PrunedLayers : IDecoderLayers, IDisposable
{
    private IReadOnlyList<LayerRefit>? refits;
    private readonly Transformer dense;
    private readonly PruningPlan plan;
    private readonly ChannelStats? stats;
    private readonly Compensation compensation;

    public PrunedLayers(Transformer dense, PruningPlan plan, ChannelStats? stats, Compensation compensation)
    {
        Surgery.Validate(dense, plan, stats, compensation);
        this.dense = dense;
        this.plan = plan;
        this.stats = stats;
        this.compensation = compensation;
        int hd = dense.Config.HeadDim;
        Config = dense.Config with
        {
            Layers = dense.Layers.Select((l, i) => Surgery.PrunedWidths(l, plan.Layers[i], hd, compensation)).ToList(),
        };
    }

    public ModelConfig Config { get; }

    public Transformer Host => dense;

    /// <summary>Wall seconds spent building pruned layers so far (conversion of the dense layer included).</summary>
    public double SurgerySeconds => surgery.Elapsed.TotalSeconds;

    private readonly System.Diagnostics.Stopwatch surgery = new();

    /// <summary>
    /// The pruned layer in the dense checkpoint's dtype: kept rows/columns index_selected from the
    /// stored (often memory-mapped) tensors, the compensation bias rounded to that dtype — so the
    /// model evaluated is exactly the model an export writes and a reload reads.
    /// </summary>
    public DecoderLayerWeights StoredLayer(int index)
    {
        surgery.Start();
        try
        {
            var layer = Surgery.PruneLayer(dense.Layers[index], plan.Layers[index], dense.Config.HeadDim, stats?.Layers[index], compensation);
            if (refits is null) return layer;
            using (layer)
            {
                var r = refits[index];
                return DecoderLayerWeights.Create(layer.Widths, kind => kind switch
                {
                    LayerTensor.OProj => r.OProj?.alias(),
                    LayerTensor.OBias => r.OBias.alias(),
                    LayerTensor.DownProj => r.DownProj?.alias(),
                    LayerTensor.DownBias => r.DownBias.alias(),
                    _ => layer[kind]?.alias(),
                });
            }
        }
        finally
        {
            surgery.Stop();
        }
    }

    /// <summary>
    /// Refits every layer's o_proj/down_proj by least squares on calibration windows (the
    /// compensation must be <see cref="Compensation.LeastSquares"/> or its sequential form); from then on
    /// the layers carry the refitted projections. Holds the refits (the pruned o/down weights) in memory.
    /// </summary>
    public void Reconstruct(long[] ids, int count, int seqLen, int batchSize)
    {
        if (!compensation.Refits()) throw new InvalidOperationException($"compensation {compensation} does not refit");
        if (refits is not null) throw new InvalidOperationException("already reconstructed");
        refits = LeastSquaresFit.Fit(this, plan, ids, count, seqLen, compensation == Compensation.LeastSquaresSequential, batchSize);
    }

    /// <summary>
    /// Takes refits built elsewhere (a <see cref="Levels.LevelDatabase"/> assembles them from per-layer
    /// least-squares solutions it built once); from then on the layers carry them, as after <see cref="Reconstruct"/>.
    /// The layers own the given refits.
    /// </summary>
    public void UseRefits(IReadOnlyList<LayerRefit> given)
    {
        if (!compensation.Refits()) throw new InvalidOperationException($"compensation {compensation} does not refit");
        if (refits is not null) throw new InvalidOperationException("already reconstructed");
        if (given.Count != dense.Layers.Count) throw new ArgumentException($"{given.Count} refits for {dense.Layers.Count} layers");
        refits = given;
    }

    public void Dispose()
    {
        if (refits is not null) foreach (var r in refits) r.Dispose();
        refits = null;
    }

    public DecoderLayerWeights Layer(int index)
    {
        using var stored = StoredLayer(index);
        surgery.Start();
        try
        {
            return dense.Ready(stored);
        }
        finally
        {
            surgery.Stop();
        }
    }
}

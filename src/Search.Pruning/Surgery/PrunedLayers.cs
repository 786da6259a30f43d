using Search.Model;
using Search.Pruning.Allocation;
using Search.Pruning.Statistics;

namespace Search.Pruning.Surgery;

/// <summary>
/// The pruned model of a plan, one layer at a time: <see cref="Layer"/> index_selects the kept units
/// of the dense layer, adds the compensation and converts the result to the compute dtype and
/// device, and the caller drops it after use. A trial evaluates through this (with <see cref="LayerStream"/>) and an exporter writes
/// through it, so a pruned copy of the whole model never exists: memory is the dense weights (often
/// memory-mapped) plus one pruned layer.
/// </summary>
public sealed class PrunedLayers : IDecoderLayers
{
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
            return Surgery.PruneLayer(dense.Layers[index], plan.Layers[index], dense.Config.HeadDim, stats?.Layers[index], compensation);
        }
        finally
        {
            surgery.Stop();
        }
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

using Search.Model;
using Search.Pruning.Allocation;
using Search.Pruning.Metrics;
using Search.Pruning.Reconstruction;
using Search.Pruning.Statistics;
using Search.Pruning.Surgery;
using static TorchSharp.torch;

namespace Search.Pruning.Levels;

/// <summary>
/// The per-layer level database of one context — (calibration pool, metric mixture, attention unit,
/// compensation) — docs/methods.md §6b. Everything that does not depend on the allocation is made once:
/// the unit scores (so a layer's kept set at any level is its top units, as the allocator picks them), the
/// bias-compensation statistics, and for least squares the dense input Gram of every projection site
/// (<see cref="DenseGrams"/>). A layer's least-squares refit at a kept set is solved on first use and
/// kept (least recently used evicted beyond <see cref="RefitCacheBytes"/>). A candidate allocation is then
/// a plan (the allocator's own code: no re-scoring) and an assembled model — index selection plus cached
/// refits, no calibration pass and no re-fitting: <see cref="Assemble"/> gives the model the same config
/// pruned directly gives (<see cref="PrunePipeline"/>), to float summation order.
/// <para>
/// <c>ls-seq</c> makes each layer's refit depend on the pruned layers before it, so no per-layer entry
/// can stand for it: a database for an <c>ls-seq</c> context holds one-shot <c>ls</c> refits (the search
/// ranks allocations with them) and the stored trial of the chosen allocation is pruned with <c>ls-seq</c>.
/// </para>
/// </summary>
public sealed class LevelDatabase : IDisposable
{
    private readonly Transformer dense;
    private readonly IReadOnlyList<LayerUnitScores> scores;
    private readonly ChannelStats? stats;
    private readonly DenseGrams? grams;
    private readonly Dictionary<(int Layer, bool Attention, int Count, long Hash), LinkedListNode<Entry>> refits = new();
    private readonly LinkedList<Entry> recency = new();
    private long refitBytes;

    private sealed record Entry((int, bool, int, long) Key, Tensor? Weight, Tensor Bias, long Bytes);

    /// <summary>The compensation the database's entries carry (<c>ls-seq</c> contexts hold <c>ls</c>).</summary>
    public Compensation Compensation { get; }

    public AttentionUnit Unit { get; }

    /// <summary>Least-squares refits kept at most (bytes of weights and biases); default 512 MB.</summary>
    public long RefitCacheBytes { get; init; } = 512L << 20;

    /// <summary>Refits solved so far (cache misses) and served from the cache (hits).</summary>
    public int RefitsSolved { get; private set; }
    public int RefitsReused { get; private set; }

    /// <summary>Bytes held: Gram matrices plus cached refits.</summary>
    public long Bytes => (grams?.Bytes ?? 0) + refitBytes;

    /// <param name="calibration">Row-major ids of the calibration windows a least-squares refit fits on (the first
    /// <see cref="Pipeline.PrunePipeline.MaxReconstructionWindows"/>, as the direct path uses); null unless the compensation refits.</param>
    public LevelDatabase(Transformer dense, IReadOnlyList<LayerUnitScores> scores, ChannelStats? stats, Compensation compensation,
        AttentionUnit unit, TokenWindows? calibration)
    {
        this.dense = dense;
        this.scores = scores;
        this.stats = stats;
        Unit = unit;
        Compensation = compensation == Compensation.LeastSquaresSequential ? Compensation.LeastSquares : compensation;
        if (Compensation.Refits())
        {
            var fit = (calibration ?? throw new ArgumentException("a least-squares database needs calibration windows"))
                .Take(Pipeline.PrunePipeline.MaxReconstructionWindows);
            grams = DenseGrams.Collect(dense, fit.Ids, fit.Count, fit.SeqLen, Math.Max(1, 4096 / fit.SeqLen));
        }
    }

    /// <summary>The plan of per-layer ratios, repaired to <paramref name="repairTo"/> — the allocator's code path for a searched config.</summary>
    public PruningPlan Plan(LayerRatios ratios, double? repairTo, int widthMultiple = 1) =>
        new AllocationSpec(null, double.NaN, ratios, repairTo, Unit, widthMultiple).Plan(dense, scores);

    /// <summary>The model of a plan, built layer by layer on use from the database (the caller disposes it).</summary>
    public PrunedLayers Assemble(PruningPlan plan)
    {
        var pruned = new PrunedLayers(dense, plan, stats, Compensation);
        if (grams is null) return pruned;
        var layers = new List<LayerRefit>();
        try
        {
            for (int l = 0; l < plan.Layers.Count; l++)
            {
                var lp = plan.Layers[l];
                var (o, ob) = RefitOf(l, attention: true, lp.KeptAttentionChannels(dense.Config.HeadDim));
                var (down, db) = RefitOf(l, attention: false, lp.KeptChannels);
                layers.Add(new LayerRefit(o?.alias(), ob.alias(), down?.alias(), db.alias()));
            }
            pruned.UseRefits(layers);
            return pruned;
        }
        catch
        {
            foreach (var r in layers) r.Dispose();
            pruned.Dispose();
            throw;
        }
    }

    private (Tensor? Weight, Tensor Bias) RefitOf(int layer, bool attention, int[] kept)
    {
        long hash = 17;
        foreach (int i in kept) hash = unchecked(hash * 1_000_003 + i);
        var key = (layer, attention, kept.Length, hash);
        if (refits.TryGetValue(key, out var node))
        {
            recency.Remove(node);
            recency.AddFirst(node);
            RefitsReused++;
            return (node.Value.Weight, node.Value.Bias);
        }
        using var scope = NewDisposeScope();
        using var d = dense.Layer(layer);
        var storedDtype = dense.Layers[layer].InputNorm.dtype;
        var site = attention ? grams![layer].Attention : grams![layer].Mlp;
        var (weight, bias) = site.Refit(kept, attention ? d.OProj : d.DownProj, dense.Config.HiddenSize, LeastSquaresFit.Damping, d.InputNorm.dtype);
        var extra = attention ? d.OBias : d.DownBias;
        if (extra is not null) bias = bias + extra;
        var w = weight?.to_type(storedDtype).DetachFromDisposeScope();
        var b = bias.to_type(storedDtype).DetachFromDisposeScope();
        long bytes = (w?.NumberOfElements ?? 0) * w?.ElementSize ?? 0;
        bytes += b.NumberOfElements * b.ElementSize;
        var entry = recency.AddFirst(new Entry(key, w, b, bytes));
        refits[key] = entry;
        refitBytes += bytes;
        RefitsSolved++;
        while (refitBytes > RefitCacheBytes && recency.Count > 1)
        {
            var last = recency.Last!;
            recency.RemoveLast();
            refits.Remove(last.Value.Key);
            refitBytes -= last.Value.Bytes;
            last.Value.Weight?.Dispose();
            last.Value.Bias.Dispose();
        }
        return (w, b);
    }

    public void Dispose()
    {
        foreach (var e in recency) { e.Weight?.Dispose(); e.Bias.Dispose(); }
        recency.Clear();
        refits.Clear();
        grams?.Dispose();
    }
}

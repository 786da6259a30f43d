using Search.Model;
using Search.Pruning.Statistics;

namespace Search.Pruning.Metrics;

/// <summary>
/// A weighted sum of per-layer standardized metrics (AdaPruner-style); weights are normalized to sum
/// to one, a single metric is the mixture with weight one. Each component is scored as FLAP scores it
/// (CASIA-IVA-Lab/FLAP lib/prune.py, <c>prune_flap</c> and <c>standarlization</c>): its o_proj channel
/// scores are squared if it is a FLAP metric (IFV, WIFV, WIFN; <see cref="ImportanceMetricNames.SquaresAttentionScores"/>),
/// then z-scored within the layer (unbiased std, the H·h o_proj channels and the I down_proj channels
/// separately), and a KV group's score is the mean of its channels' z-scores. So a single-metric
/// mixture gives exactly FLAP's AL-AM / AL-MM unit scores, and within each layer the order of FLAP's
/// UL-UM / UL-MM scores (the sum of squared raw scores, an increasing affine map of that mean); for
/// Wanda-sp and magnitude-sp, whose head score is the sum of raw channel scores, likewise.
/// </summary>
public sealed class MetricMixture
{
    public IReadOnlyList<(ImportanceMetric Metric, double Weight)> Components { get; }

    private MetricMixture(IReadOnlyList<(ImportanceMetric, double)> components) => Components = components;

    public static MetricMixture Single(ImportanceMetric metric) => new([(metric, 1.0)]);

    /// <summary>From user-facing names and non-negative weights with a positive sum.</summary>
    public static MetricMixture Create(IEnumerable<KeyValuePair<string, double>> weights)
    {
        var parsed = new List<(ImportanceMetric Metric, double Weight)>();
        foreach (var (name, weight) in weights)
        {
            var metric = ImportanceMetricNames.Parse(name);
            if (!double.IsFinite(weight) || weight < 0)
                throw new UserInputException($"metric mixture weight of '{name}' must be a finite non-negative number (got {weight})");
            if (parsed.Any(p => p.Metric == metric))
                throw new UserInputException($"metric mixture names '{ImportanceMetricNames.Name(metric)}' twice");
            parsed.Add((metric, weight));
        }
        double total = parsed.Sum(p => p.Weight);
        if (!(total > 0))
            throw new UserInputException("metric mixture weights must sum to a positive number");
        return new MetricMixture(parsed.Where(p => p.Weight > 0).Select(p => (p.Metric, p.Weight / total)).ToList());
    }

    public bool NeedsStatistics => Components.Any(c => ImportanceMetricNames.NeedsStatistics(c.Metric));

    /// <summary>
    /// Unit scores of every layer of <paramref name="model"/>; <paramref name="stats"/> may be null for
    /// data-free mixtures. With <paramref name="cache"/> each component's scores are looked up (computed on
    /// a miss) and only the weighted sum runs; the result is the same bit for bit.
    /// </summary>
    public IReadOnlyList<LayerUnitScores> Score(Transformer model, ChannelStats? stats, UnitScoreCache? cache = null)
    {
        if (stats is not null && stats.Layers.Count != model.Layers.Count)
            throw new ArgumentException($"statistics cover {stats.Layers.Count} layers, the model has {model.Layers.Count}");
        if (cache is not null && !ReferenceEquals(cache.Model, model))
            throw new ArgumentException("the unit score cache belongs to another model");
        cache ??= new UnitScoreCache(model);
        var components = Components.Select(c => (Scores: cache.Scores(c.Metric, stats), c.Weight)).ToList();
        var result = new List<LayerUnitScores>(model.Layers.Count);
        int hd = model.Config.HeadDim;
        for (int l = 0; l < model.Layers.Count; l++)
        {
            var layer = model.Layers[l];
            var groups = new double[layer.Widths.NumKvHeads];
            var heads = new double[layer.Widths.NumHeads];
            var channels = new double[layer.Widths.IntermediateSize];
            int perGroup = layer.Widths.GroupSize * hd;
            foreach (var (scores, weight) in components)
            {
                var s = scores[l];
                // A KV group scores the mean of its channels' z-scores; a query head the mean of its own channels'.
                for (int k = 0; k < groups.Length; k++) groups[k] += weight * s.GroupZSums[k] / perGroup;
                for (int q = 0; q < heads.Length; q++) heads[q] += weight * s.HeadZSums[q] / hd;
                if (channels.Length > 0) AddScaled(channels, s.ChannelZ, weight);
            }
            result.Add(new LayerUnitScores(groups, channels, heads));
        }
        return result;
    }

    private static void AddScaled(double[] into, double[] values, double weight)
    {
        for (int i = 0; i < into.Length; i++) into[i] += weight * values[i];
    }

    public override string ToString() =>
        string.Join("+", Components.Select(c => $"{c.Weight:0.###}·{ImportanceMetricNames.Name(c.Metric)}"));
}

using System.Runtime.CompilerServices;
using Search.Model;
using Search.Pruning.Statistics;

namespace Search.Pruning.Metrics;

/// <summary>
/// One metric's standardized unit scores in one layer, before a mixture weights them: per KV group
/// and per query head the SUM of its channels' z-scores (the mixture divides by the channel count
/// after weighting, as it always has), per MLP channel its z-score.
/// </summary>
public sealed record MetricUnitScores(double[] GroupZSums, double[] HeadZSums, double[] ChannelZ);

/// <summary>
/// Unit scores of a model's layers cached per (statistics, metric): they depend on the calibration
/// statistics and the metric, never on the mixture weights or the allocation, so a trial's scoring is
/// a lookup plus a weighted sum (<see cref="MetricMixture.Score(Transformer, ChannelStats?, UnitScoreCache?)"/>).
/// The weights' column reductions (<see cref="WeightColumns"/>) are computed once per layer, so a new
/// pool or rung costs O(channels), not a read of every weight. Statistics are keyed by instance (a
/// weak table: an entry goes when its statistics are collected), so callers that want hits reuse the
/// same <see cref="ChannelStats"/> object for the same pool and rung. The model must not change.
/// </summary>
public sealed class UnitScoreCache(Transformer model)
{
    private readonly (WeightColumns? Attention, WeightColumns? Mlp)?[] columns = new (WeightColumns?, WeightColumns?)?[model.Layers.Count];
    private readonly ConditionalWeakTable<ChannelStats, Dictionary<ImportanceMetric, IReadOnlyList<MetricUnitScores>>> byStats = new();
    private readonly Dictionary<ImportanceMetric, IReadOnlyList<MetricUnitScores>> dataFree = new();
    private readonly Lock gate = new();

    public Transformer Model => model;

    /// <summary>Number of (statistics, metric) score sets computed so far (a miss each).</summary>
    public int Computed { get; private set; }

    /// <summary>Every layer's unit scores of <paramref name="metric"/> under <paramref name="stats"/> (null for data-free metrics).</summary>
    public IReadOnlyList<MetricUnitScores> Scores(ImportanceMetric metric, ChannelStats? stats)
    {
        bool needsStats = ImportanceMetricNames.NeedsStatistics(metric);
        if (needsStats && stats is null)
            throw new UserInputException($"metric '{ImportanceMetricNames.Name(metric)}' needs calibration statistics");
        lock (gate)
        {
            var table = needsStats ? byStats.GetValue(stats!, _ => new()) : dataFree;
            if (!table.TryGetValue(metric, out var scores))
            {
                scores = Compute(metric, needsStats ? stats : null);
                table[metric] = scores;
                Computed++;
            }
            return scores;
        }
    }

    private List<MetricUnitScores> Compute(ImportanceMetric metric, ChannelStats? stats)
    {
        if (stats is not null && stats.Layers.Count != model.Layers.Count)
            throw new ArgumentException($"statistics cover {stats.Layers.Count} layers, the model has {model.Layers.Count}");
        var result = new List<MetricUnitScores>(model.Layers.Count);
        int hd = model.Config.HeadDim;
        for (int l = 0; l < model.Layers.Count; l++)
        {
            var layer = model.Layers[l];
            var (attention, mlp) = Columns(l);
            var groups = new double[layer.Widths.NumKvHeads];
            var heads = new double[layer.Widths.NumHeads];
            var channels = Array.Empty<double>();
            int perGroup = layer.Widths.GroupSize * hd;
            if (groups.Length > 0)
            {
                var raw = ChannelImportance.Score(metric, attention!, stats?.Layers[l].Attention); // [H·h]
                if (ImportanceMetricNames.SquaresAttentionScores(metric))
                    for (int j = 0; j < raw.Length; j++) raw[j] *= raw[j];
                var z = Standardization.ZScores(raw);
                for (int k = 0; k < groups.Length; k++)
                    for (int j = k * perGroup; j < (k + 1) * perGroup; j++) groups[k] += z[j];
                for (int q = 0; q < heads.Length; q++)
                    for (int j = q * hd; j < (q + 1) * hd; j++) heads[q] += z[j];
            }
            if (layer.Widths.IntermediateSize > 0)
                channels = Standardization.ZScores(ChannelImportance.Score(metric, mlp!, stats?.Layers[l].Mlp));
            result.Add(new MetricUnitScores(groups, heads, channels));
        }
        return result;
    }

    private (WeightColumns? Attention, WeightColumns? Mlp) Columns(int l)
    {
        if (columns[l] is { } cached) return cached;
        var layer = model.Layers[l];
        var value = (layer.Widths.NumKvHeads > 0 ? WeightColumns.Of(layer.OProj!) : null,
                     layer.Widths.IntermediateSize > 0 ? WeightColumns.Of(layer.DownProj!) : null);
        columns[l] = value;
        return value;
    }
}

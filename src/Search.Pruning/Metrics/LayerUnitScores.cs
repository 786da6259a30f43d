namespace Search.Pruning.Metrics;

/// <summary>Importance of one layer's removable units; higher means keep.</summary>
/// <param name="KvGroups">One score per KV group (per head under MHA): [G].</param>
/// <param name="Channels">One score per MLP channel: [I].</param>
/// <param name="QueryHeads">One score per query head, for pruning heads inside KV groups: [H] (null when not computed).</param>
public sealed record LayerUnitScores(double[] KvGroups, double[] Channels, double[]? QueryHeads = null);

namespace Search.Pruning.Allocation;

/// <summary>
/// Explicit per-layer removal fractions (what a search proposes): layer l removes
/// ⌊Attention[l]·G_l⌋ KV groups and ⌊Mlp[l]·I_l⌋ channels, the lowest-scoring ones.
/// </summary>
public sealed record LayerRatios(IReadOnlyList<double> Attention, IReadOnlyList<double> Mlp);

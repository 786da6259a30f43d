namespace Search.Pruning.Statistics;

/// <summary>Per-window sums of one decoder layer's o_proj input and down_proj input.</summary>
public sealed record LayerWindowSums(SiteWindowSums Attention, SiteWindowSums Mlp);

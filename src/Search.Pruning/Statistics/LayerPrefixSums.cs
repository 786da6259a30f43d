namespace Search.Pruning.Statistics;

/// <summary>Prefix sums of one decoder layer's o_proj input and down_proj input.</summary>
public sealed record LayerPrefixSums(SitePrefixSums Attention, SitePrefixSums Mlp);

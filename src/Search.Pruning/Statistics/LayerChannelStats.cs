namespace Search.Pruning.Statistics;

/// <summary>Moments of one decoder layer's two prunable sites.</summary>
/// <param name="Attention">Input of o_proj: H·h channels (empty when the layer has no heads).</param>
/// <param name="Mlp">Input of down_proj: I channels (empty when the layer has no MLP channels).</param>
public sealed record LayerChannelStats(ChannelMoments Attention, ChannelMoments Mlp);

namespace Search.Records;

/// <summary>Widths of one decoder layer: query heads, KV heads, MLP channels.</summary>
public sealed record LayerWidthSummary(int Heads, int KvHeads, int Channels);

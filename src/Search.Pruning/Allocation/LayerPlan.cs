namespace Search.Pruning.Allocation;

/// <summary>
/// What one layer keeps. Indices refer to the model the plan was made for (which may itself be pruned)
/// and are sorted ascending. The attention unit is the KV group: group k owns KV head k and query
/// heads k·g … k·g+g−1 (under MHA, g = 1 and a group is a head).
/// </summary>
public sealed record LayerPlan(int KvGroupsBefore, int GroupSize, int[] KeptKvGroups, int ChannelsBefore, int[] KeptChannels)
{
    /// <summary>Query heads kept, sorted: [kept groups · g].</summary>
    public int[] KeptQueryHeads() =>
        KeptKvGroups.SelectMany(k => Enumerable.Range(k * GroupSize, GroupSize)).ToArray();

    /// <summary>o_proj input channels (= q_proj output rows) kept, sorted: [kept heads · h].</summary>
    public int[] KeptAttentionChannels(int headDim) =>
        KeptQueryHeads().SelectMany(q => Enumerable.Range(q * headDim, headDim)).ToArray();

    /// <summary>k/v_proj output rows kept, sorted: [kept groups · h].</summary>
    public int[] KeptKvRows(int headDim) =>
        KeptKvGroups.SelectMany(k => Enumerable.Range(k * headDim, headDim)).ToArray();

    public bool KeepsEverything => KeptKvGroups.Length == KvGroupsBefore && KeptChannels.Length == ChannelsBefore;
}

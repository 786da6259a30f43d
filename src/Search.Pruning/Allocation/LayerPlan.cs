namespace Search.Pruning.Allocation;

/// <summary>
/// What one layer keeps. Indices refer to the model the plan was made for (which may itself be pruned)
/// and are sorted ascending. Group k owns KV head k and query heads k·g … k·g+g−1 (under MHA, g = 1
/// and a group is a head). The attention unit is the whole KV group, or — with
/// <paramref name="KeptHeads"/> — single query heads inside the groups, the same count in every kept
/// group (so the pruned layer is again a GQA layer with fewer query heads per KV head).
/// </summary>
/// <param name="KeptHeads">Query heads kept when they are chosen inside groups; null keeps every head of a kept group.</param>
public sealed record LayerPlan(int KvGroupsBefore, int GroupSize, int[] KeptKvGroups, int ChannelsBefore, int[] KeptChannels,
    int[]? KeptHeads = null)
{
    /// <summary>Query heads kept, sorted: [kept groups · kept heads per group].</summary>
    public int[] KeptQueryHeads() =>
        KeptHeads ?? KeptKvGroups.SelectMany(k => Enumerable.Range(k * GroupSize, GroupSize)).ToArray();

    /// <summary>Query heads each kept KV group keeps.</summary>
    public int KeptHeadsPerGroup => KeptKvGroups.Length == 0 ? 0 : KeptQueryHeads().Length / KeptKvGroups.Length;

    /// <summary>o_proj input channels (= q_proj output rows) kept, sorted: [kept heads · h].</summary>
    public int[] KeptAttentionChannels(int headDim) =>
        KeptQueryHeads().SelectMany(q => Enumerable.Range(q * headDim, headDim)).ToArray();

    /// <summary>k/v_proj output rows kept, sorted: [kept groups · h].</summary>
    public int[] KeptKvRows(int headDim) =>
        KeptKvGroups.SelectMany(k => Enumerable.Range(k * headDim, headDim)).ToArray();

    public bool KeepsEverything =>
        KeptKvGroups.Length == KvGroupsBefore && KeptQueryHeads().Length == KvGroupsBefore * GroupSize && KeptChannels.Length == ChannelsBefore;
}

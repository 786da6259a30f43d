using Search.Model;

namespace Search.Pruning.Allocation;

/// <summary>What a per-layer attention ratio removes (docs/methods.md §3, GQA).</summary>
public enum AttentionUnit
{
    /// <summary>Whole KV groups: the group's k/v rows and its g query heads (FLAP's unit under GQA).</summary>
    KvGroup,
    /// <summary>Query heads inside the groups, the same count in every group; every KV head stays.</summary>
    QueryHead,
}

/// <summary>The spellings of <see cref="AttentionUnit"/>: "kv-group", "query-head".</summary>
public static class AttentionUnitNames
{
    public static AttentionUnit Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "kv-group" or "group" => AttentionUnit.KvGroup,
        "query-head" or "head" => AttentionUnit.QueryHead,
        _ => throw new UserInputException($"unknown attention unit '{name}' (expected kv-group or query-head)"),
    };

    public static string Name(AttentionUnit unit) => unit == AttentionUnit.QueryHead ? "query-head" : "kv-group";
}

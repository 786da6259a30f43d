using Search.Model;

namespace Search.Pruning.Allocation;

/// <summary>
/// FLAP's per-layer structures, as in CASIA-IVA-Lab/FLAP lib/prune.py <c>prune_flap</c> (the "UL-UM" and
/// "UL-MM" branches) and <c>cal_remove_neuron</c>. Every block removes a count k of units through
/// <see cref="UnitBlock.KeepFromRank"/> (τ = k-th smallest score, keep ≥ τ); k &lt; n, so no block is
/// ever emptied. Counts truncate like Python's <c>int()</c> (no tolerance: int(0.29·100) = 28, as FLAP).
/// </summary>
internal static class UniformRules
{
    /// <summary>UL-UM: k = int(p·G) KV groups and int(p·I) channels per layer (4 groups at p = 0.2 lose none).</summary>
    public static void UniformModules(IReadOnlyList<UnitBlock> attention, IReadOnlyList<UnitBlock> mlp, double ratio)
    {
        foreach (var block in attention.Concat(mlp)) block.KeepFromRank(Truncate(ratio * block.Count));
    }

    /// <summary>
    /// UL-MM: every layer removes <paramref name="removeKvGroups"/> / L KV groups (integer division, FLAP's
    /// remove_heads // len(layers)) and int((p·layer cost − removed group cost) / channel cost) channels,
    /// FLAP's per-layer formula with costs counted from the shapes instead of LLaMA-7B's constants.
    /// </summary>
    public static void ManualModules(IReadOnlyList<UnitBlock> attention, IReadOnlyList<UnitBlock> mlp, double ratio, int removeKvGroups)
    {
        int perLayer = removeKvGroups / attention.Count;
        for (int l = 0; l < attention.Count; l++)
        {
            UnitBlock heads = attention[l], channels = mlp[l];
            int groups = Math.Min(perLayer, heads.Count);
            if (heads.Count > 0 && perLayer >= heads.Count)
                throw new UserInputException(
                    $"UL-MM: removing {perLayer} KV groups per layer would leave layer {l} (of {heads.Count} groups) without attention");
            heads.KeepFromRank(groups);
            if (channels.Count == 0) continue;
            double layerCost = (double)heads.Count * heads.UnitCost + (double)channels.Count * channels.UnitCost;
            int count = Truncate((ratio * layerCost - (double)groups * heads.UnitCost) / channels.UnitCost);
            // FLAP indexes the sorted scores with this count: a negative or ≥ I count is a crash there, a clamp here.
            channels.KeepFromRank(Math.Clamp(count, 0, channels.Count - 1));
        }
    }

    /// <summary>Python's int() of a float: truncation toward zero.</summary>
    internal static int Truncate(double x) => (int)Math.Clamp(Math.Truncate(x), int.MinValue, int.MaxValue);
}

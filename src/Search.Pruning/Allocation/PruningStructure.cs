namespace Search.Pruning.Allocation;

/// <summary>
/// How many units each layer loses (docs/methods.md §3). UL = uniform across layers, AL = adaptive;
/// UM/MM/AM = uniform / manual (the KV-group count is fixed, channels take the rest) / adaptive across
/// modules. The first four are FLAP's published rules (CASIA-IVA-Lab/FLAP lib/prune.py,
/// <c>prune_flap</c>): each may land off the budget (AL-AM removes up to one unit more, UL-UM under
/// GQA fewer). Each has an exact-budget twin: the same rule, then <see cref="BudgetRepair"/> moves MLP
/// channels across layers until the removed parameters are within half a channel of the target.
/// </summary>
public enum PruningStructure
{
    /// <summary>UL-UM: every layer removes ⌊p·G⌋ KV groups and ⌊p·I⌋ channels (FLAP's ≥-threshold rule).</summary>
    UniformLayersUniformModules,
    /// <summary>UL-MM: every layer removes N/L KV groups (N = KV groups to remove in all), channels fill each layer's share of the budget.</summary>
    UniformLayersManualModules,
    /// <summary>AL-MM: the N lowest KV groups of the whole model go; channels fill the remaining budget globally.</summary>
    AdaptiveLayersManualModules,
    /// <summary>AL-AM (FLAP default): all units of all layers ranked together, cost-weighted cumulative threshold, strict keep test.</summary>
    AdaptiveLayersAdaptiveModules,
    /// <summary>UL-UM, then repaired to the exact budget.</summary>
    UniformLayersUniformModulesExact,
    /// <summary>UL-MM, then repaired to the exact budget.</summary>
    UniformLayersManualModulesExact,
    /// <summary>AL-MM, then repaired to the exact budget.</summary>
    AdaptiveLayersManualModulesExact,
    /// <summary>AL-AM, then repaired to the exact budget.</summary>
    AdaptiveLayersAdaptiveModulesExact,
}

namespace Search.Pruning.Allocation;

/// <summary>
/// The units kept in every layer and what that costs. Ratios are fractions of the prunable
/// parameters (every q/k/v/o and gate/up/down weight and q/k/v, gate/up bias).
/// </summary>
/// <param name="Structure">"UL-UM", "UL-MM", "AL-MM", "AL-AM", "layer-ratios" or "identity".</param>
/// <param name="TargetRatio">Requested removed fraction of the prunable parameters.</param>
/// <param name="AchievedRatio">Removed fraction actually planned (RemovedParams / PrunableParams).</param>
public sealed record PruningPlan(
    string Structure,
    double TargetRatio,
    double AchievedRatio,
    long PrunableParams,
    long RemovedParams,
    IReadOnlyList<LayerPlan> Layers)
{
    public override string ToString() =>
        $"{Structure} target {TargetRatio:P2} achieved {AchievedRatio:P2} ({RemovedParams:N0} of {PrunableParams:N0} prunable params); " +
        "kept groups/channels per layer: " + string.Join(" ", Layers.Select(l => $"{l.KeptKvGroups.Length}/{l.KeptChannels.Length}"));
}

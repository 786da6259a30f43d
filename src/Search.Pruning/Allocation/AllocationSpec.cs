using Search.Model;
using Search.Pruning.Metrics;

namespace Search.Pruning.Allocation;

/// <summary>
/// How a run decides what each layer loses: a structure with one global ratio, or explicit
/// per-layer ratios (<see cref="LayerRatios"/> set, <see cref="Structure"/> null). With
/// <see cref="RepairTo"/> set, the plan is then repaired to remove exactly that share of the
/// prunable parameters (<see cref="BudgetRepair"/>), so configs of one study cost the same.
/// </summary>
/// <param name="Unit">What a per-layer attention ratio removes (FLAP's named structures always remove whole KV groups).</param>
/// <param name="WidthMultiple">Every layer keeps a multiple of this many MLP channels (<see cref="WidthRounding"/>); 1 = any count.</param>
public sealed record AllocationSpec(PruningStructure? Structure, double Ratio, LayerRatios? LayerRatios, double? RepairTo = null,
    AttentionUnit Unit = AttentionUnit.KvGroup, int WidthMultiple = 1)
{
    /// <summary>The CLI spelling of the explicit per-layer choice.</summary>
    public const string PerLayerName = "per-layer";

    public static AllocationSpec ForStructure(PruningStructure structure, double ratio) =>
        new(structure, PruningRatio.Ensure(ratio), null);

    public static AllocationSpec ForLayerRatios(LayerRatios ratios) => new(null, double.NaN, ratios);

    /// <summary>
    /// A structure name (FLAP's, see <see cref="PruningStructureNames"/>) with a global ratio, or
    /// <see cref="PerLayerName"/> with per-layer ratios — what the <c>prune</c> command and the search
    /// objective both accept.
    /// </summary>
    public static AllocationSpec Parse(string structure, double ratio, LayerRatios? layerRatios, AttentionUnit unit = AttentionUnit.KvGroup)
    {
        if (string.Equals(structure.Trim(), PerLayerName, StringComparison.OrdinalIgnoreCase))
            return ForLayerRatios(layerRatios ?? throw new UserInputException($"structure {PerLayerName} needs per-layer ratios")) with { Unit = unit };
        if (unit != AttentionUnit.KvGroup)
            throw new UserInputException($"attention unit {AttentionUnitNames.Name(unit)} needs structure {PerLayerName} (FLAP's structures remove whole KV groups)");
        return ForStructure(PruningStructureNames.Parse(structure), ratio);
    }

    /// <summary>The same allocation, repaired to remove exactly <paramref name="ratio"/> of the prunable parameters.</summary>
    public AllocationSpec WithExactBudget(double ratio) => this with { RepairTo = PruningRatio.Ensure(ratio) };

    public string Name => Structure is { } s ? PruningStructureNames.Name(s) : PerLayerName;

    /// <summary>Throws before any expensive work when the spec cannot apply to <paramref name="model"/>.</summary>
    public void EnsureFits(Transformer model)
    {
        WidthRounding.EnsureFits(model.Config, WidthMultiple);
        if (LayerRatios is { } r && (r.Attention.Count != model.Layers.Count || r.Mlp.Count != model.Layers.Count))
            throw new UserInputException(
                $"layer ratios: the model has {model.Layers.Count} layers, got {r.Attention.Count} attention and {r.Mlp.Count} MLP ratios");
    }

    public PruningPlan Plan(Transformer model, IReadOnlyList<LayerUnitScores> scores)
    {
        var plan = Structure is { } s
            ? Allocator.Allocate(model, scores, s, Ratio, widthMultiple: WidthMultiple)
            : Allocator.AllocateLayerRatios(model, scores, LayerRatios!, unit: Unit, widthMultiple: WidthMultiple);
        return RepairTo is double target ? BudgetRepair.Repair(model, scores, plan, target, WidthMultiple) : plan;
    }
}

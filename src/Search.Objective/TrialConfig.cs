using Search.Pruning.Allocation;
using Search.Pruning.Metrics;
using Search.Pruning.Pipeline;
using Search.Pruning.Surgery;
using Search.Records;

namespace Search.Objective;

/// <summary>A trial's calibration choice: the first <paramref name="Samples"/> windows of the (source, seqlen, seed) pool.</summary>
public sealed record PoolChoice(string Source, int Samples, int SeqLen, int Seed);

/// <summary>
/// What one trial asks for, typed: the calibration pool choice and the pruning recipe. Decoded once
/// from the stored params (<see cref="TrialParams"/>) through the pruning engine's own name tables,
/// so a structure, metric or compensation the <c>prune</c> command accepts is accepted here too.
/// Per-layer configs are repaired to the study's exact budget (<see cref="AllocationSpec.RepairTo"/>);
/// named structures are the published rules or their "-exact" twins. A study's width multiple
/// (<see cref="AllocationSpec.WidthMultiple"/>) applies to what meets the exact budget — searched
/// configs and the "-exact" twins —; the published rules run as published.
/// </summary>
public sealed record TrialConfig(PoolChoice Calibration, PruningRecipe Recipe)
{
    public static TrialConfig From(TrialParams p, double ratio, int widthMultiple = 1)
    {
        var calibration = new PoolChoice(
            TrialParams.Required(p.CalibrationSource, "calibration_source"),
            TrialParams.Required(p.CalibrationSamples, "calibration_samples"),
            TrialParams.Required(p.CalibrationSeqLen, "calibration_seqlen"),
            TrialParams.Required(p.CalibrationSeed, "calibration_seed"));
        if (p.Mix.Count == 0) TrialParams.Required<string>(null, TrialParams.MixName);
        var mixture = MetricMixture.Create(p.ActiveMix);
        string structure = TrialParams.Required(p.Structure, "structure");
        var layerRatios = p.AttentionRatios is { } a && p.MlpRatios is { } m ? new LayerRatios(a, m) : null;
        // The attention unit applies to per-layer ratios; FLAP's named structures remove whole KV groups.
        var unit = p.AttentionUnit is { } u && structure == AllocationSpec.PerLayerName ? AttentionUnitNames.Parse(u) : AttentionUnit.KvGroup;
        var allocation = AllocationSpec.Parse(structure, ratio, layerRatios, unit);
        // Searched per-layer ratios are repaired to the study's exact budget; a named structure runs as
        // named: FLAP's published rule (which may land off the budget by a unit), or its "-exact" twin.
        if (allocation.Structure is null) allocation = allocation.WithExactBudget(ratio);
        if (allocation.Structure is not { } named || PruningStructureNames.IsExactBudget(named))
            allocation = allocation with { WidthMultiple = widthMultiple };
        var compensation = CompensationNames.Parse(TrialParams.Required(p.Compensation, "compensation"));
        return new TrialConfig(calibration, new PruningRecipe(mixture, allocation, compensation));
    }
}

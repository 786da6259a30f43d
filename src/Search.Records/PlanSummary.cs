namespace Search.Records;

/// <summary>
/// The pruning plan a trial applied. <paramref name="DenseLayers"/> (the unpruned widths) lets a
/// report plot kept fractions; stores written before it existed leave it null.
/// </summary>
public sealed record PlanSummary(
    string Structure, double TargetRatio, double AchievedRatio, long PrunableParams, long RemovedParams,
    long TotalParamsBefore, long TotalParamsAfter, IReadOnlyList<LayerWidthSummary> Layers,
    IReadOnlyList<LayerWidthSummary>? DenseLayers = null);

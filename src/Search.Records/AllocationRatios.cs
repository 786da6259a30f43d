namespace Search.Records;

/// <summary>
/// The per-layer removal fractions a trial achieved: attention (share of the layer's query heads
/// removed) and MLP (share of its channels removed), one entry per layer. Written on every trial
/// (<see cref="TrialAttrs.AllocationRatios"/>) so allocation samplers can start from the hand-set
/// methods' allocations, whichever rule produced them.
/// </summary>
public sealed record AllocationRatios(IReadOnlyList<double> Attention, IReadOnlyList<double> Mlp)
{
    public static AllocationRatios Of(PlanSummary plan)
    {
        var dense = plan.DenseLayers ?? throw new ArgumentException("the plan summary has no dense widths");
        double Removed(int kept, int total) => total == 0 ? 0 : 1 - (double)kept / total;
        return new AllocationRatios(
            plan.Layers.Select((l, i) => Removed(l.Heads, dense[i].Heads)).ToList(),
            plan.Layers.Select((l, i) => Removed(l.Channels, dense[i].Channels)).ToList());
    }
}

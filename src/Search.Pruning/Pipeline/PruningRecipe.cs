using Search.Pruning.Allocation;
using Search.Pruning.Metrics;
using Search.Pruning.Surgery;

namespace Search.Pruning.Pipeline;

/// <summary>
/// What to prune and how, without the data: the metric mixture that scores units, the allocation
/// that decides how many go where, and what replaces the removed channels.
/// </summary>
public sealed record PruningRecipe(MetricMixture Mixture, AllocationSpec Allocation, Compensation Compensation)
{
    /// <summary>Whether the recipe needs calibration statistics at all.</summary>
    public bool NeedsStatistics => Mixture.NeedsStatistics || Compensation != Compensation.None;
}

using Search.Model;
using Search.Data.Evaluation;
using Search.Pruning.Allocation;
using Search.Pruning.Pipeline;
using Search.Pruning.Surgery;

namespace Search.Application.Prune;

/// <summary>
/// What a run produced. <see cref="Pruned"/> builds the pruned layers from the dense model on use,
/// so the dense model must outlive it; disposing the outcome frees its least-squares refits, if any.
/// </summary>
/// <param name="StatisticsFromCache">True when calibration sums came from the cache (no dense pass); null when no statistics were needed.</param>
/// <param name="DenseParams">Every parameter of the dense model (embeddings included).</param>
/// <param name="PrunedParams">Every parameter of the pruned model, compensation biases included.</param>
public sealed record PruneOutcome(
    PrunedLayers Pruned,
    PruningPlan Plan,
    PerplexityResult Dense,
    PerplexityResult PrunedPerplexity,
    PruneTimings Timings,
    bool? StatisticsFromCache,
    long DenseParams,
    long PrunedParams) : IDisposable
{
    public void Dispose() => Pruned.Dispose();
}

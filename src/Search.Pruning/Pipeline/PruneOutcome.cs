using Search.Model;
using Search.Data.Evaluation;
using Search.Pruning.Allocation;

namespace Search.Pruning.Pipeline;

/// <summary>
/// What a run produced. Owns <see cref="Pruned"/> (whose embedding and norms alias the dense model's,
/// so the dense model must outlive it).
/// </summary>
/// <param name="StatisticsFromCache">True when calibration sums came from the cache (no dense pass); null when no statistics were needed.</param>
/// <param name="DenseParams">Every parameter of the dense model (embeddings included).</param>
/// <param name="PrunedParams">Every parameter of the pruned model, compensation biases included.</param>
public sealed record PruneOutcome(
    Transformer Pruned,
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

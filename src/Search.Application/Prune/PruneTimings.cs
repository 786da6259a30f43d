namespace Search.Application.Prune;

/// <summary>Wall seconds of each stage of a run (docs/architecture.md: stats / scoring / surgery / eval).</summary>
/// <param name="Statistics">Calibration statistics: the dense pass, or reading the cache entry, plus aggregation.</param>
/// <param name="ScoringAndAllocation">Metric mixture scores and the pruning plan.</param>
/// <param name="Surgery">Building the pruned model.</param>
/// <param name="DenseEval">Perplexity of the dense model.</param>
/// <param name="PrunedEval">Perplexity of the pruned model.</param>
public sealed record PruneTimings(double Statistics, double ScoringAndAllocation, double Surgery, double DenseEval, double PrunedEval);

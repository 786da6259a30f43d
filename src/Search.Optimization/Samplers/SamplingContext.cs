using Search.Optimization.Spaces;
using Search.Optimization.Trials;

namespace Search.Optimization.Samplers;

/// <summary>Everything a sampler may look at. <paramref name="History"/> holds only trials numbered below <paramref name="TrialNumber"/>.</summary>
/// <param name="Cost">
/// Expected seconds of evaluating a candidate, a pure function of the history (<see cref="CostAwareSampler"/>);
/// null: every candidate costs the same. Samplers that use it trade improvement against it (docs/methods.md).
/// </param>
public sealed record SamplingContext(SearchSpace Space, IReadOnlyList<FrozenTrial> History, int Seed, int TrialNumber,
    Func<IReadOnlyDictionary<string, ParamValue>, double>? Cost = null);

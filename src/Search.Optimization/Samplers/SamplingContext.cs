using Search.Optimization.Spaces;
using Search.Optimization.Trials;

namespace Search.Optimization.Samplers;

/// <summary>Everything a sampler may look at. <paramref name="History"/> holds only trials numbered below <paramref name="TrialNumber"/>.</summary>
public sealed record SamplingContext(SearchSpace Space, IReadOnlyList<FrozenTrial> History, int Seed, int TrialNumber);

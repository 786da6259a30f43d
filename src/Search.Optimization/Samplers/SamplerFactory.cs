namespace Search.Optimization.Samplers;

/// <summary>Sampler by the name a CLI flag or a study record carries.</summary>
public static class SamplerFactory
{
    /// <summary>The level search (Search.Objective's LevelSampler), built by the search command with its objective.</summary>
    public const string LevelsName = "levels";

    public static IReadOnlyList<string> KnownNames { get; } =
        [RandomSampler.SamplerName, GpSampler.SamplerName, EvolutionarySampler.SamplerName, HybridSampler.SamplerName];

    /// <summary>A sampler by name; "evolution", "evo" and "darwin" name the evolutionary sampler, "gp-evo" the hybrid one.</summary>
    public static ISampler Create(string name) => name.Trim().ToLowerInvariant() switch
    {
        RandomSampler.SamplerName => new RandomSampler(),
        "evolution" or "evo" or "darwin" => new EvolutionarySampler(),
        GpSampler.SamplerName => new GpSampler(),
        EvolutionarySampler.SamplerName => new EvolutionarySampler(),
        HybridSampler.SamplerName or "gp-evo" => new HybridSampler(),
        LevelsName => throw new OptimizationInputException(
            "the levels sampler assembles pruned models, so only the search command builds it (it cannot serve a study opened without its objective)"),
        _ => throw new OptimizationInputException($"unknown sampler '{name}'; expected one of {string.Join(", ", KnownNames)}, {LevelsName}"),
    };
}

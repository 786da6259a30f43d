namespace Search.Optimization.Samplers;

/// <summary>Sampler by the name a CLI flag or a study record carries.</summary>
public static class SamplerFactory
{
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
        _ => throw new OptimizationInputException($"unknown sampler '{name}'; expected one of {string.Join(", ", KnownNames)}"),
    };
}

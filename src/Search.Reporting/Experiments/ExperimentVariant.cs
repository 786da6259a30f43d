namespace Search.Reporting.Experiments;

/// <summary>One arm of an ablation: the experiment with its space, sampler or fitness replaced.</summary>
public sealed record ExperimentVariant(string Name, string? Description = null, string? Space = null, string? Sampler = null, string? Fitness = null,
    int? Trials = null, IReadOnlyList<int>? Seeds = null);

namespace Search.Optimization.Samplers;

/// <summary>
/// DarwinLM schedule: <see cref="Offspring"/> children per generation, then selection stages; stage
/// s scores its candidates on <see cref="StageTokens"/>[s] tokens and keeps the best
/// <see cref="StageKeep"/>[s]. The parent joins the last stage (elitism).
/// </summary>
public sealed record EvolutionSettings(int Offspring, IReadOnlyList<int> StageKeep, IReadOnlyList<long> StageTokens)
{
    public static EvolutionSettings DarwinLm { get; } = new(16, [8, 4, 2, 1], [1024, 2048, 4096, 8192]);

    public int Stages => StageKeep.Count;

    public void Validate()
    {
        if (StageKeep.Count == 0 || StageKeep.Count != StageTokens.Count)
            throw new OptimizationInputException("evolution settings: need one token budget per selection stage");
        if (StageKeep[^1] != 1) throw new OptimizationInputException("evolution settings: the last stage must keep exactly one (the next parent)");
        var previous = Offspring;
        foreach (var keep in StageKeep)
        {
            if (keep < 1 || keep > previous) throw new OptimizationInputException("evolution settings: each stage must keep between 1 and the previous stage's count");
            previous = keep;
        }
    }
}

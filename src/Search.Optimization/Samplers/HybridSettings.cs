namespace Search.Optimization.Samplers;

/// <summary>Knobs of <see cref="HybridSampler"/>.</summary>
/// <param name="Offspring">Candidates scored in stage 0 of a generation (the seed allocations and children of the parent).</param>
/// <param name="StageKeep">How many candidates each selection stage keeps; the last keeps 1 (the winner, compared with the parent).</param>
/// <param name="StageTokens">Token budget (<c>fidelity_tokens</c>) of each stage; the last is the top fidelity, which design and GP
/// trials use too. Make it the objective's default proxy budget (proxy windows × seqlen) so hand-set baselines, scored without
/// a fidelity, compare with it.</param>
/// <param name="LevelFactors">Move sizes in grid steps, coarse to fine; the last must be 1 (the dimension's own step).</param>
/// <param name="Patience">Generations whose winner does not beat its parent before the move size is refined.</param>
/// <param name="MaxMoves">A child is m = min(U{1..MaxMoves}, U{1..MaxMoves}) budget-preserving moves away from its parent (DarwinLM: 3;
/// 2 measured better here, the merged candidate adding up what several children found).</param>
/// <param name="GpTrialsPerGeneration">GP trials on the low-dimensional part (paired with the best allocation) before each generation.</param>
/// <param name="SeedAllocations">Hand-set allocations (<c>allocation_ratios</c> of baselines) the first generation starts from: the best is the parent, the others are candidates.</param>
/// <param name="Gp">The GP sampler's settings for the low-dimensional part.</param>
/// <param name="Recombine">Stage 0 also scores the parent (on the same tokens as its children), and the last stage also
/// scores the parent plus the moves of every child that beat it there (a (μ/μ, λ) step: on a roughly additive
/// response independent improvements add up).</param>
public sealed record HybridSettings(
    int Offspring = 8,
    IReadOnlyList<int>? StageKeep = null,
    IReadOnlyList<long>? StageTokens = null,
    IReadOnlyList<int>? LevelFactors = null,
    int Patience = 1,
    int MaxMoves = 2,
    int GpTrialsPerGeneration = 3,
    int SeedAllocations = 4,
    GpSamplerSettings? Gp = null,
    bool Recombine = true)
{
    public IReadOnlyList<int> Keep => StageKeep ?? [3, 1];
    public IReadOnlyList<long> Tokens => StageTokens ?? [1024, 4096];
    public IReadOnlyList<int> Factors => LevelFactors ?? [4, 2, 1];
    public GpSamplerSettings GpSettings => Gp ?? new GpSamplerSettings();
    public int Stages => Keep.Count;
    public long TopTokens => Tokens[^1];

    public HybridSettings Validate()
    {
        if (Offspring < 1) throw new OptimizationInputException("hybrid settings: need at least one offspring per generation");
        if (Keep.Count == 0 || Keep.Count != Tokens.Count) throw new OptimizationInputException("hybrid settings: need one token budget per selection stage");
        if (Keep[^1] != 1) throw new OptimizationInputException("hybrid settings: the last stage must keep exactly one (the winner)");
        var previous = Offspring;
        foreach (var keep in Keep)
        {
            if (keep < 1 || keep > previous) throw new OptimizationInputException("hybrid settings: each stage must keep between 1 and the previous stage's count");
            previous = keep;
        }
        for (var s = 0; s < Tokens.Count; s++)
            if (Tokens[s] < 1 || s > 0 && Tokens[s] < Tokens[s - 1])
                throw new OptimizationInputException("hybrid settings: stage token budgets must be positive and non-decreasing");
        if (Factors.Count == 0 || Factors[^1] != 1 || Factors.Zip(Factors.Skip(1)).Any(p => p.Second >= p.First))
            throw new OptimizationInputException("hybrid settings: level factors must decrease strictly to 1 (e.g. 4, 2, 1)");
        if (Patience < 1 || MaxMoves < 1 || GpTrialsPerGeneration < 0 || SeedAllocations < 0)
            throw new OptimizationInputException("hybrid settings: patience and moves must be positive, GP trials and seeds non-negative");
        return this;
    }
}

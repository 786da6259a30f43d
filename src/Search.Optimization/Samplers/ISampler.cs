namespace Search.Optimization.Samplers;

/// <summary>
/// A pure function of (space, history, seed, trial number) → proposal. Implementations keep no
/// state between calls, so a resumed study proposes exactly what an uninterrupted one would.
/// </summary>
public interface ISampler
{
    /// <summary>Name stored in the study record ("random", "gp", "evolutionary").</summary>
    string Name { get; }

    Proposal Propose(SamplingContext context);
}

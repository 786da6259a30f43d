namespace Search.Optimization.Samplers;

/// <summary>Knobs of <see cref="GpSampler"/>; the defaults keep one proposal well under a second for a few hundred trials.</summary>
/// <param name="StartupTrials">Random proposals until this many trials have a usable value.</param>
/// <param name="RandomCandidates">Random feasible points scored by EI per proposal.</param>
/// <param name="NeighboursOfBest">Perturbations around each of the best observed points.</param>
/// <param name="RefinedCandidates">How many top-EI candidates get local hill-climbing.</param>
/// <param name="RefinementSteps">Hill-climbing steps per refined candidate (step size decays geometrically).</param>
/// <param name="Exploration">ξ of EI, in standardized-objective units.</param>
public sealed record GpSamplerSettings(
    int StartupTrials = 10,
    int RandomCandidates = 512,
    int NeighboursOfBest = 32,
    int RefinedCandidates = 4,
    int RefinementSteps = 32,
    double Exploration = 0.01,
    int FitRestarts = 3,
    int FitIterations = 80);

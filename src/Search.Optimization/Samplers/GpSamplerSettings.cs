namespace Search.Optimization.Samplers;

/// <summary>Knobs of <see cref="GpSampler"/>; the defaults keep one proposal well under a second for a few hundred trials.</summary>
/// <param name="StartupTrials">Start-up design size: the sampler's own trials before the GP takes over (raised to the largest categorical's choice count).</param>
/// <param name="RandomCandidates">Random feasible points scored by EI per proposal (split over the categorical branches).</param>
/// <param name="NeighboursOfBest">Perturbations around each of the best observed points (split over the branches).</param>
/// <param name="RefinedCandidates">How many top-EI candidates get local hill-climbing (besides each branch's best).</param>
/// <param name="RefinementSteps">Hill-climbing steps per refined candidate (step size decays geometrically).</param>
/// <param name="Exploration">ξ of EI, in standardized-objective units.</param>
/// <param name="CountBaselinesAsStartup">Old behaviour: the start-up phase ends once this many trials of any origin completed, so enqueued baselines replace the sampler's own start-up trials.</param>
/// <param name="StratifiedStartup">Start-up trials balance every categorical's choices and fill the rest by a Latin hypercube; false draws them at random (old behaviour).</param>
/// <param name="BranchExplorationEvery">Every k-th trial after start-up takes the best-EI point whose branch (one categorical, in rotation) differs from the incumbent's; 0 never.</param>
/// <param name="BranchCandidates">EI is maximized in every categorical branch on its own; false searches the whole space at once (old behaviour).</param>
/// <param name="MaxJointBranches">Up to this many combinations of categorical choices are searched jointly; beyond it, every single choice is a branch.</param>
/// <param name="WarpOutputs">Fit log(y − min + (median − min)) instead of y, so a few very bad values do not flatten the rest.</param>
/// <param name="TrustRegion">EI is maximized near each branch's best points, perturbed with this scale (encoded units; 0: over the whole space).</param>
/// <param name="TrustRegionPatience">The region halves after this many Complete trials of the branch without a new branch best; it restarts at full size after 6 halvings.</param>
/// <param name="LocalExplorationModel">A branch-exploration trial fits its GP to the explored choice's own points (when it has 3), not to all.</param>
/// <param name="PendingAsLiar">Running trials (other workers') condition the GP at the mean value, so concurrent asks spread out.</param>
public sealed record GpSamplerSettings(
    int StartupTrials = 10,
    int RandomCandidates = 512,
    int NeighboursOfBest = 32,
    int RefinedCandidates = 4,
    int RefinementSteps = 32,
    double Exploration = 0.01,
    int FitRestarts = 3,
    int FitIterations = 80,
    bool CountBaselinesAsStartup = false,
    bool StratifiedStartup = true,
    int BranchExplorationEvery = 3,
    bool BranchCandidates = true,
    int MaxJointBranches = 16,
    bool PendingAsLiar = true,
    bool WarpOutputs = false,
    double TrustRegion = 0.2,
    int TrustRegionPatience = 3,
    bool LocalExplorationModel = true)
{
    /// <summary>
    /// The GP sampler as it was before issue 11 (baselines count as start-up trials, random start-up,
    /// one global EI search, no branch exploration, Running trials ignored), kept to measure against.
    /// </summary>
    public static GpSamplerSettings WarmStartSensitive { get; } = new(
        CountBaselinesAsStartup: true, StratifiedStartup: false, BranchExplorationEvery: 0, BranchCandidates: false, PendingAsLiar: false, WarpOutputs: false, TrustRegion: 0);
}

namespace Search.Optimization.Trials;

/// <summary>User-attribute names the library itself writes or reads; everything else belongs to the objective.</summary>
public static class UserAttrKeys
{
    /// <summary>Tag of the enqueued hand-set config this trial evaluates (e.g. "flap-wifv-al-am-bias").</summary>
    public const string Baseline = "baseline";

    /// <summary>Position in the study's queue of fixed configs; marks the queue entry as consumed.</summary>
    public const string QueueIndex = "queue_index";

    /// <summary>Token budget the objective should score this trial with (multi-fidelity samplers).</summary>
    public const string FidelityTokens = "fidelity_tokens";

    /// <summary>Evolutionary bookkeeping: generation, selection stage (1-based) and candidate id within the generation.</summary>
    public const string EvoGeneration = "evo_generation";
    public const string EvoStage = "evo_stage";
    public const string EvoCandidate = "evo_candidate";

    /// <summary>
    /// Per-layer removal fractions the objective achieved for this trial, one per layer and module type:
    /// JSON <c>{"attention":[0.25,0.5,…],"mlp":[0.18,0.3,…]}</c> (keys are the layer_ratios dimensions'
    /// <c>module</c>, values removed/total units of that layer). Written for every structure (al-am
    /// included, where it is FLAP's allocation); the hybrid sampler seeds its first generation with
    /// the best hand-set ones, snapped to the level grid under the budget. Trials without it are ignored.
    /// </summary>
    public const string AllocationRatios = "allocation_ratios";

    /// <summary>Hybrid sampler: what a trial is for — "design" (start-up), "gp" (low-dimensional part), "evo" (allocation candidate), "probe".</summary>
    public const string HybridRole = "hybrid_role";

    /// <summary>Hybrid sampler: the generation a scheduled GP trial precedes (GP trials without it filled in for blocked workers).</summary>
    public const string HybridSlot = "hybrid_slot";

    /// <summary>Evolution: the generation's move size in grid steps (coarse-to-fine: e.g. 4, then 2, then 1).</summary>
    public const string EvoLevelFactor = "evo_level_factor";

    /// <summary>
    /// Evolution, on the first trial of a generation (stage 0, candidate 0): the parent allocation
    /// (JSON: dimension name → ratios), its known value in the generation's context (absent: it is
    /// re-evaluated in the last stage), generations without improvement at this move size, and for
    /// generation 0 the other seed allocations (JSON array).
    /// </summary>
    public const string EvoParent = "evo_parent";
    public const string EvoParentValue = "evo_parent_value";
    public const string EvoStall = "evo_stall";
    public const string EvoSeeds = "evo_seeds";

    /// <summary>Worker of the dead process whose Running trial this one re-runs under the same number and params.</summary>
    public const string ReclaimedFrom = "reclaimed_from_worker";

    /// <summary>Prefix of annotations that may be written once after a trial finished (finalist scores).</summary>
    public const string AnnotationPrefix = "post.";
}

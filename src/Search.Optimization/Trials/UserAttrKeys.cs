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

    /// <summary>Worker of the dead process whose Running trial this one re-runs under the same number and params.</summary>
    public const string ReclaimedFrom = "reclaimed_from_worker";

    /// <summary>Prefix of annotations that may be written once after a trial finished (finalist scores).</summary>
    public const string AnnotationPrefix = "post.";
}

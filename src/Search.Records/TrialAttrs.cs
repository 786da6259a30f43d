using Search.Optimization.Trials;

namespace Search.Records;

/// <summary>
/// User-attribute keys the pruning objective writes on every trial (values are JSON, see
/// <see cref="AttrJson"/>). Reports read the store only, so everything a table needs is here.
/// </summary>
public static class TrialAttrs
{
    /// <summary><see cref="PlanSummary"/>: target/achieved ratio, parameter counts, kept widths per layer.</summary>
    public const string Plan = "plan";

    /// <summary><see cref="Records.AllocationRatios"/>: per-layer removed fractions (attention heads, MLP channels) the trial achieved.</summary>
    public const string AllocationRatios = "allocation_ratios";

    /// <summary><see cref="TrialTimings"/> in seconds.</summary>
    public const string Timings = "timings";

    /// <summary><see cref="FinalScores"/>: full search-split and test-split ppl, written for finalists after the search.</summary>
    public const string Final = UserAttrKeys.AnnotationPrefix + "final";

    /// <summary><see cref="TaskScores"/>: zero-shot multiple-choice accuracies, written for finalists and baselines by <c>search --final-tasks</c>.</summary>
    public const string Tasks = UserAttrKeys.AnnotationPrefix + "tasks";

    /// <summary>The calibration/eval/model protocol, once per trial (dataset, seqlen, bos, model hash).</summary>
    public const string Protocol = "protocol";

    /// <summary>
    /// <see cref="SeedSpread"/>: test ppl of the best hand-set baseline re-calibrated with other
    /// calibration seeds — the yardstick a searched improvement must exceed.
    /// </summary>
    public const string SeedSpread = UserAttrKeys.AnnotationPrefix + "seed_spread";

    /// <summary>
    /// <see cref="TrialSpeed"/>: prefill/decode tokens/s of the trial's model and of the dense model,
    /// measured interleaved (TorchSharp, and llama.cpp when asked), written by <c>search --speed</c>.
    /// </summary>
    public const string Speed = UserAttrKeys.AnnotationPrefix + "speed";

    /// <summary>
    /// <see cref="GainDecomposition"/>, on the best searched trial: its config re-run with each part
    /// (compensation, allocation, calibration, metric mixture) set back to the best baseline's.
    /// </summary>
    public const string Decomposition = UserAttrKeys.AnnotationPrefix + "decomposition";
}

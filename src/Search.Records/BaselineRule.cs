using Search.Optimization.Trials;

namespace Search.Records;

/// <summary>
/// The one rule that picks "the best hand-set baseline": among baselines with final scores that
/// cost no more than the study's budget allows, the lowest perplexity on the SEARCH split (ties:
/// lower trial number). Choosing it on test would tune on the split that only reports; the test
/// split is shown, never used to choose. "At equal cost": a published rule that removes less than
/// the target (FLAP's UL-UM under GQA removes whole KV groups only) keeps more parameters than a
/// searched config may, so it is reported with its achieved ratio but is not the yardstick — its
/// exact-budget twin is. A rule that removes more (AL-AM's one extra unit) is eligible.
/// </summary>
public static class BaselineRule
{
    /// <summary>How far under the target a plan may land and still count as meeting it: 0.1% of the prunable parameters.</summary>
    public const double Tolerance = 1e-3;

    public static FrozenTrial? Best(IEnumerable<FrozenTrial> trials) =>
        trials.Where(t => t.State == TrialState.Complete && t.UserAttr(UserAttrKeys.Baseline) is not null && MeetsBudget(t))
            .Select(t => (Trial: t, Final: AttrJson.TryDeserialize<FinalScores>(t.UserAttr(TrialAttrs.Final))))
            .Where(x => x.Final is not null)
            .OrderBy(x => x.Final!.SearchPpl).ThenBy(x => x.Trial.Number)
            .Select(x => x.Trial)
            .FirstOrDefault();

    /// <summary>Whether the trial removed at least its target share of the prunable parameters (true when no plan was recorded).</summary>
    public static bool MeetsBudget(FrozenTrial t) =>
        AttrJson.TryDeserialize<PlanSummary>(t.UserAttr(TrialAttrs.Plan)) is not { } p
        || p.RemovedParams >= p.TargetRatio * p.PrunableParams - Tolerance * p.PrunableParams;
}

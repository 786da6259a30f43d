using Search.Optimization.Trials;

namespace Search.Records;

/// <summary>
/// The one rule that picks "the best hand-set baseline": among baselines with final scores, the
/// lowest perplexity on the SEARCH split (ties: lower trial number). Choosing it on test would tune
/// on the split that only reports; the test split is shown, never used to choose.
/// </summary>
public static class BaselineRule
{
    public static FrozenTrial? Best(IEnumerable<FrozenTrial> trials) =>
        trials.Where(t => t.State == TrialState.Complete && t.UserAttr(UserAttrKeys.Baseline) is not null)
            .Select(t => (Trial: t, Final: AttrJson.TryDeserialize<FinalScores>(t.UserAttr(TrialAttrs.Final))))
            .Where(x => x.Final is not null)
            .OrderBy(x => x.Final!.SearchPpl).ThenBy(x => x.Trial.Number)
            .Select(x => x.Trial)
            .FirstOrDefault();
}

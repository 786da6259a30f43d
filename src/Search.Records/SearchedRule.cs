using Search.Optimization.Trials;

namespace Search.Records;

/// <summary>
/// The one rule that picks "the best searched trial", for <c>best</c>, <c>export --trial best</c>,
/// <c>compare</c> and the reports alike: among complete trials that are not hand-set baselines,
/// the finalists (final scores stored) by perplexity on the SEARCH split — the split a user would
/// choose on; test only reports — and, while no searched trial has been finalised (a study still
/// running, or stopped before its finalists were scored), by proxy value. Ties: lower trial number.
/// </summary>
public static class SearchedRule
{
    public static FrozenTrial? Best(IEnumerable<FrozenTrial> trials)
    {
        var searched = trials.Where(t => t.State == TrialState.Complete && t.UserAttr(UserAttrKeys.Baseline) is null).ToList();
        var finalists = searched.Select(t => (Trial: t, Final: Final(t))).Where(x => x.Final is not null).ToList();
        if (finalists.Count > 0)
            return finalists.OrderBy(x => x.Final!.SearchPpl).ThenBy(x => x.Trial.Number).First().Trial;
        return searched.Where(t => t.Value is not null).OrderBy(t => t.Value).ThenBy(t => t.Number).FirstOrDefault();
    }

    /// <summary>Whether the trial has final search- and test-split scores (the rule then ranks it on the search split).</summary>
    public static bool IsFinalized(FrozenTrial t) => Final(t) is not null;

    internal static FinalScores? Final(FrozenTrial t) => AttrJson.TryDeserialize<FinalScores>(t.UserAttr(TrialAttrs.Final));
}

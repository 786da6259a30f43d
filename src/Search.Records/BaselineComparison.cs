using Search.Optimization.Trials;

namespace Search.Records;

/// <summary>
/// The one verdict on a study: the best searched trial (<see cref="SearchedRule"/>) against the best
/// hand-set baseline (<see cref="BaselineRule"/>) on the test split — both chosen on the search
/// split — and whether the margin exceeds that baseline's calibration-seed spread, the noise a
/// searched improvement must beat to count. Null until both trials have final scores.
/// </summary>
public sealed record BaselineComparison(FrozenTrial Searched, FinalScores SearchedFinal, FrozenTrial Baseline, FinalScores BaselineFinal, SeedSpread? Spread)
{
    /// <summary>Baseline test ppl − searched test ppl (positive: the searched config is better).</summary>
    public double Margin => BaselineFinal.TestPpl - SearchedFinal.TestPpl;

    /// <summary>Relative test-ppl reduction, margin / baseline test ppl.</summary>
    public double Gain => Margin / BaselineFinal.TestPpl;

    public bool Better => SearchedFinal.TestPpl < BaselineFinal.TestPpl;

    /// <summary>Whether the margin is larger than the baseline's seed spread; null when no spread was measured.</summary>
    public bool? MarginExceedsSpread => Spread is null ? null : Margin > Spread.Spread;

    public string BaselineTag => Baseline.UserAttr(UserAttrKeys.Baseline)!;

    public static BaselineComparison? Of(IReadOnlyList<FrozenTrial> trials)
    {
        if (SearchedRule.Best(trials) is not { } searched || SearchedRule.Final(searched) is not { } searchedFinal) return null;
        if (BaselineRule.Best(trials) is not { } baseline || SearchedRule.Final(baseline) is not { } baselineFinal) return null;
        return new BaselineComparison(searched, searchedFinal, baseline, baselineFinal,
            AttrJson.TryDeserialize<SeedSpread>(baseline.UserAttr(TrialAttrs.SeedSpread)));
    }
}

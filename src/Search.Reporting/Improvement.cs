using System.Globalization;

namespace Search.Reporting;

/// <summary>
/// The best searched config against the best hand-set baseline. Both are chosen on the search
/// (validation) split, as a user would choose them; the test split then says how much of the
/// search-split gain is real rather than fitted to the split that was tuned on.
/// </summary>
public sealed record Improvement(
    string BaselineTag, int BaselineTrial, double BaselineSearchPpl, double BaselineTestPpl,
    int SearchedTrial, double SearchedSearchPpl, double SearchedTestPpl,
    string SearchSplit, string TestSplit, string? Yardstick = null)
{
    /// <summary>Relative ppl reduction on the search split, (baseline − searched) / baseline.</summary>
    public double SearchGain => (BaselineSearchPpl - SearchedSearchPpl) / BaselineSearchPpl;

    public double TestGain => (BaselineTestPpl - SearchedTestPpl) / BaselineTestPpl;

    /// <summary>Test gain over search gain; null when the search split shows no gain to survive.</summary>
    public double? Survival => SearchGain > 0 ? TestGain / SearchGain : null;

    public string Sentence()
    {
        var inv = CultureInfo.InvariantCulture;
        string Pct(double x) => x.ToString("+0.00%;-0.00%;0.00%", inv);
        string head = $"Best searched (trial {SearchedTrial}) vs best hand-set baseline ({BaselineTag}, trial {BaselineTrial}), both chosen on {SearchSplit}: " +
                      $"{SearchSplit} ppl {SearchedSearchPpl.ToString("F4", inv)} vs {BaselineSearchPpl.ToString("F4", inv)} ({Pct(SearchGain)}), " +
                      $"{TestSplit} ppl {SearchedTestPpl.ToString("F4", inv)} vs {BaselineTestPpl.ToString("F4", inv)} ({Pct(TestGain)}).";
        string tail = Survival switch
        {
            null => " The search found no improvement on the split it tuned on.",
            double s when TestGain <= 0 => $" None of the {SearchSplit} improvement survives on {TestSplit}.",
            double s => $" {s.ToString("0%", inv)} of the {SearchSplit} improvement survives on {TestSplit}.",
        };
        return head + tail + (Yardstick is null ? "" : $" Yardstick: {Yardstick}.");
    }
}

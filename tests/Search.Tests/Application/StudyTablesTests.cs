using Search.Application.Views;
using Search.Optimization.Trials;
using Search.Records;

namespace Search.Tests.Application;

/// <summary>
/// The console view of stored trials (<c>search</c>'s closing summary, <c>best</c>, <c>trials</c>),
/// rendered into a writer as redirected output is: plain text, no colour, tables not wrapped.
/// </summary>
public sealed class StudyTablesTests
{
    private static FrozenTrial Trial(int number, double? proxy, string? baseline = null, FinalScores? final = null, string? error = null)
    {
        var attrs = new Dictionary<string, string>();
        if (baseline is not null) attrs[UserAttrKeys.Baseline] = baseline;
        if (final is not null) attrs[TrialAttrs.Final] = AttrJson.Serialize(final);
        return new FrozenTrial(number, error is null ? TrialState.Complete : TrialState.Failed, new Dictionary<string, ParamValue>(), proxy, [],
            attrs, error, DateTime.UnixEpoch, DateTime.UnixEpoch, number, "w");
    }

    private static FinalScores Final(double search, double test) => new(search, "valid", 4096, test, "test", 4096, 1.5);

    [Fact]
    public void Given_a_baseline_and_finalists_When_summarized_Then_the_searched_row_is_the_best_on_the_search_split_and_the_verdict_is_on_test()
    {
        var trials = new[]
        {
            Trial(0, 12.0, baseline: "flap-al-am", final: Final(12.5, 13.0)),
            Trial(1, 10.0, final: Final(11.8, 12.1)),   // best by proxy, second on the search split
            Trial(2, 10.5, final: Final(11.2, 12.4)),   // best on the search split: the rule's pick
            Trial(3, null, error: "out of memory"),
        };
        var output = new StringWriter();

        StudyTables.Summary(output, "s", trials);

        string text = output.ToString();
        Assert.Contains("study s: searched vs hand-set", text);
        Assert.Contains("flap-al-am", text);
        var searchedRow = text.Split('\n').Single(l => l.Contains("searched (best on search split)"));
        Assert.Contains("11.2000", searchedRow);
        Assert.Contains("12.4000", searchedRow);
        Assert.DoesNotContain("11.8000", text);
        Assert.Contains("test ppl: searched 12.4000 vs the best hand-set baseline (chosen on the search split) 13.0000 (flap-al-am): +4.62% better", text);
        Assert.EndsWith("1 failed trial(s): see `prunesearch trials --study s`\n", text.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Given_trials_When_listed_Then_each_has_one_row_with_its_state_and_a_failure_shows_its_error()
    {
        var trials = new[] { Trial(0, 12.0, baseline: "magnitude-sp"), Trial(1, null, error: "out of memory") };
        var output = new StringWriter();

        StudyTables.List(output, "s", [], trials);

        var lines = output.ToString().Split('\n');
        Assert.Contains("study s: 2 trials", lines[0]);
        Assert.Contains(lines, l => l.Contains("│ 1 ") && l.Contains("Complete") && l.Contains("12.0000") && l.Contains("magnitude-sp"));
        Assert.Contains(lines, l => l.Contains("│ 2 ") && l.Contains("Failed") && l.Contains("out of memory"));
    }
}

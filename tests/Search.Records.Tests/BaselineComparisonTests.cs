namespace Search.Records.Tests;

/// <summary>The one verdict: best searched vs best baseline on test, and the margin against the baseline's seed spread.</summary>
public sealed class BaselineComparisonTests
{
    [Fact]
    public void The_margin_gain_and_verdict_are_of_the_two_trials_the_rules_choose()
    {
        var trials = new[]
        {
            Trials.Baseline(0, "flap", proxy: 10.0, final: (10.0, 12.0), spread: new SeedSpread([0, 1, 2], [12.0, 12.25, 11.875])),
            Trials.Baseline(1, "wanda-sp", proxy: 11.0, final: (11.0, 10.0)),  // better on test, worse on search: not the yardstick
            Trials.Searched(2, proxy: 9.0, final: (9.5, 11.5)),
            Trials.Searched(3, proxy: 8.0, final: (9.75, 9.0)),                // better on test, worse on search: not the best searched
        };
        var c = BaselineComparison.Of(trials)!;
        Assert.Equal((0, 2), (c.Baseline.Number, c.Searched.Number));
        Assert.Equal("flap", c.BaselineTag);
        Assert.Equal(0.5, c.Margin);
        Assert.Equal(0.5 / 12.0, c.Gain);
        Assert.True(c.Better);
        Assert.Equal(0.375, c.Spread!.Spread);
        Assert.True(c.MarginExceedsSpread);
    }

    [Fact]
    public void A_margin_inside_the_spread_is_not_larger_and_a_worse_searched_trial_is_not_better()
    {
        var inside = BaselineComparison.Of([
            Trials.Baseline(0, "flap", 10.0, (10.0, 12.0), spread: new SeedSpread([0, 1], [12.0, 13.0])),
            Trials.Searched(1, 9.0, (9.0, 11.5))])!;
        Assert.False(inside.MarginExceedsSpread);
        var worse = BaselineComparison.Of([Trials.Baseline(0, "flap", 10.0, (10.0, 12.0)), Trials.Searched(1, 9.0, (9.0, 12.5))])!;
        Assert.False(worse.Better);
        Assert.Equal(-0.5, worse.Margin);
        Assert.Null(worse.MarginExceedsSpread); // no spread measured: no verdict either way
    }

    [Fact]
    public void There_is_no_comparison_until_both_trials_are_finalized()
    {
        Assert.Null(BaselineComparison.Of([Trials.Baseline(0, "flap", 10.0, (10.0, 12.0)), Trials.Searched(1, 9.0)]));
        Assert.Null(BaselineComparison.Of([Trials.Baseline(0, "flap", 10.0, null), Trials.Searched(1, 9.0, (9.0, 11.0))]));
    }
}

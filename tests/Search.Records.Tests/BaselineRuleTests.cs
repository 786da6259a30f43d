namespace Search.Records.Tests;

/// <summary>The one rule for "the best hand-set baseline": on the search split, at equal cost.</summary>
public sealed class BaselineRuleTests
{
    [Fact]
    public void The_lowest_search_split_ppl_wins_even_when_another_baseline_is_better_on_test()
    {
        var trials = new[]
        {
            Trials.Baseline(0, "flap-al-am", proxy: 9.0, final: (9.0, 8.0)),
            Trials.Baseline(1, "wanda-sp", proxy: 9.5, final: (8.5, 9.5)),
            Trials.Searched(2, proxy: 1.0, final: (1.0, 1.0)),
        };
        Assert.Equal(1, BaselineRule.Best(trials)!.Number);
    }

    [Fact]
    public void A_baseline_that_removes_less_than_the_target_is_not_the_yardstick_but_one_that_removes_more_is()
    {
        var trials = new[]
        {
            Trials.Baseline(0, "flap-ul-um", proxy: 5.0, final: (5.0, 5.0), removedShare: 0.15),  // kept more than allowed
            Trials.Baseline(1, "flap-al-am", proxy: 6.0, final: (6.0, 6.0), removedShare: 0.21),  // one extra unit: eligible
            Trials.Baseline(2, "flap-ul-um-exact", proxy: 7.0, final: (7.0, 7.0)),
        };
        Assert.False(BaselineRule.MeetsBudget(trials[0]));
        Assert.True(BaselineRule.MeetsBudget(trials[1]));
        Assert.Equal(1, BaselineRule.Best(trials)!.Number);
    }

    [Fact]
    public void Within_the_tolerance_a_plan_meets_its_budget_and_just_outside_it_does_not()
    {
        Assert.True(BaselineRule.MeetsBudget(Trials.Baseline(0, "b", 5.0, null, removedShare: 0.2 - BaselineRule.Tolerance / 2)));
        Assert.False(BaselineRule.MeetsBudget(Trials.Baseline(0, "b", 5.0, null, removedShare: 0.2 - BaselineRule.Tolerance * 2)));
    }

    [Fact]
    public void Baselines_without_final_scores_and_failed_trials_are_not_chosen_and_ties_go_to_the_lower_number()
    {
        var trials = new[]
        {
            Trials.Failed(0),
            Trials.Baseline(1, "no-final", proxy: 1.0, final: null),
            Trials.Baseline(5, "late", proxy: 6.0, final: (6.0, 6.0)),
            Trials.Baseline(3, "early", proxy: 6.5, final: (6.0, 7.0)),
        };
        Assert.Equal(3, BaselineRule.Best(trials)!.Number);
        Assert.Null(BaselineRule.Best([Trials.Failed(0), Trials.Baseline(1, "no-final", 1.0, null)]));
    }
}

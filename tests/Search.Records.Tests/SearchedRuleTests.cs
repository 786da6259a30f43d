namespace Search.Records.Tests;

/// <summary>The one rule for "the best searched trial" (best, export --trial best, compare, reports).</summary>
public sealed class SearchedRuleTests
{
    [Fact]
    public void Among_finalists_the_lowest_search_split_ppl_wins_not_the_test_split_nor_the_proxy()
    {
        var trials = new[]
        {
            Trials.Baseline(0, "flap", proxy: 5.0, final: (5.0, 5.0)),
            Trials.Searched(1, proxy: 9.0, final: (8.0, 7.0)),  // best search split
            Trials.Searched(2, proxy: 8.5, final: (8.5, 6.0)),  // best test split: never used to choose
            Trials.Searched(3, proxy: 7.0),                     // best proxy, but not finalized
        };
        Assert.Equal(1, SearchedRule.Best(trials)!.Number);
        Assert.True(SearchedRule.IsFinalized(SearchedRule.Best(trials)!));
    }

    [Fact]
    public void While_nothing_searched_is_finalized_the_lowest_proxy_wins_baselines_and_failures_excluded()
    {
        var trials = new[]
        {
            Trials.Baseline(0, "flap", proxy: 1.0, final: (1.0, 1.0)),
            Trials.Failed(1),
            Trials.Searched(2, proxy: 9.0),
            Trials.Searched(3, proxy: 8.0),
            Trials.Searched(4, proxy: 8.5),
        };
        var best = SearchedRule.Best(trials)!;
        Assert.Equal(3, best.Number);
        Assert.False(SearchedRule.IsFinalized(best));
    }

    [Fact]
    public void Ties_go_to_the_lower_trial_number_whatever_the_order_read()
    {
        var finalists = new[] { Trials.Searched(7, 9.0, (8.0, 8.0)), Trials.Searched(4, 9.5, (8.0, 9.0)) };
        Assert.Equal(4, SearchedRule.Best(finalists)!.Number);
        var proxies = new[] { Trials.Searched(6, 8.0), Trials.Searched(2, 8.0) };
        Assert.Equal(2, SearchedRule.Best(proxies)!.Number);
    }

    [Fact]
    public void A_study_with_only_baselines_or_failures_has_no_best_searched_trial()
    {
        Assert.Null(SearchedRule.Best([Trials.Baseline(0, "flap", 5.0, (5.0, 5.0)), Trials.Failed(1)]));
        Assert.Null(SearchedRule.Best([]));
    }
}

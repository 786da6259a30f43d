using Search.Optimization.Trials;
using Search.Records;

namespace Search.Reporting;

/// <summary>
/// The facts a report states about one study: hand-set baselines, the best searched config
/// (finalists ranked on the full search split), the top trials by proxy, and the improvement.
/// </summary>
public sealed class StudySummary
{
    public StudySummary(StudyData data)
    {
        Data = data;
        var components = data.MixComponents;
        Views = data.Trials.Select(t => TrialView.From(t, components)).ToList();
        var complete = Views.Where(v => v.Trial.State == TrialState.Complete).ToList();
        Baselines = complete.Where(v => v.IsBaseline).ToList();
        var bestSearched = SearchedRule.Best(data.Trials);
        BestSearched = bestSearched is null ? null : Views.First(v => v.Number == bestSearched.Number);
        var bestBaseline = BaselineRule.Best(data.Trials);
        BestBaseline = bestBaseline is null ? null : Views.First(v => v.Number == bestBaseline.Number);
        if (BestBaseline is { Final: { } b } && BestSearched is { Final: { } s })
            Improvement = new Improvement(BestBaseline.Baseline!, BestBaseline.DisplayNumber, b.SearchPpl, b.TestPpl,
                BestSearched.DisplayNumber, s.SearchPpl, s.TestPpl, s.SearchSplit, s.TestSplit, Yardstick(data.Trials));
        Comparison = BaselineComparison.Of(data.Trials);
    }

    public StudyData Data { get; }

    /// <summary>
    /// What the best baseline was chosen from: how many hand-set baselines met the budget and had final
    /// scores, and which compensations they used (a searched gain over bias-only methods is not a gain
    /// over hand-set methods given least squares too).
    /// </summary>
    public static string Yardstick(IReadOnlyList<FrozenTrial> trials)
    {
        var eligible = trials.Where(t => t.State == TrialState.Complete && t.UserAttr(UserAttrKeys.Baseline) is not null
                                         && BaselineRule.MeetsBudget(t) && t.UserAttr(TrialAttrs.Final) is not null).ToList();
        var compensations = eligible.Select(t => t.Params.TryGetValue("compensation", out var c) ? c.ToString() : "?").Distinct().Order(StringComparer.Ordinal);
        return $"the best of {eligible.Count} hand-set baselines that meet the budget, with compensation {string.Join(" / ", compensations)}";
    }

    public IReadOnlyList<TrialView> Views { get; }

    /// <summary>Complete baseline trials in queue order.</summary>
    public IReadOnlyList<TrialView> Baselines { get; }

    /// <summary>The best searched trial by <see cref="SearchedRule"/> (search-split ppl among finalists, proxy while none is finalized).</summary>
    public TrialView? BestSearched { get; }

    /// <summary>Best finalized baseline by full search-split ppl.</summary>
    public TrialView? BestBaseline { get; }

    public Improvement? Improvement { get; }

    /// <summary>Best searched vs best baseline on test, with the seed-spread verdict (<see cref="BaselineComparison"/>).</summary>
    public BaselineComparison? Comparison { get; }

    /// <summary>The hand-set FLAP AL-AM baseline, if the study ran it (the widths plot compares against it).</summary>
    public TrialView? AlAm => Baselines.FirstOrDefault(v => v.Structure == "al-am");

    public int Failed => Views.Count(v => v.Trial.State == TrialState.Failed);

    /// <summary>The k best complete trials by proxy ppl (baselines included), ties by number.</summary>
    public IReadOnlyList<TrialView> Top(int k) =>
        Views.Where(v => v.Proxy is not null).OrderBy(v => v.Proxy).ThenBy(v => v.Number).Take(k).ToList();

    /// <summary>Complete trials in number order with the best proxy ppl seen so far (searched and baselines alike).</summary>
    public IReadOnlyList<(int Trial, double Proxy, double BestSoFar, bool Baseline)> History()
    {
        var rows = new List<(int, double, double, bool)>();
        double best = double.PositiveInfinity;
        foreach (var v in Views.Where(v => v.Proxy is not null).OrderBy(v => v.Number))
        {
            best = Math.Min(best, v.Proxy!.Value);
            rows.Add((v.DisplayNumber, v.Proxy.Value, best, v.IsBaseline));
        }
        return rows;
    }
}

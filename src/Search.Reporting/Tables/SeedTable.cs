using System.Globalization;
using Search.Records;

namespace Search.Reporting.Tables;

/// <summary>
/// One experiment searched with several sampler seeds: per seed the best hand-set baseline and the
/// best searched config on test (both chosen on the search split), the gain, and that baseline's
/// calibration-seed spread; then the median, min and max gain. A gain is only as good as its
/// spread across search seeds and its margin over the baseline's own seed-to-seed noise.
/// </summary>
public static class SeedTable
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static ReportTable Of(IReadOnlyList<StudySummary> seeds)
    {
        var rows = new List<IReadOnlyList<string>>();
        var arms = seeds.GroupBy(s => Arm(s.Data.Name)).ToList();
        foreach (var arm in arms)
        {
            var gains = new List<double>();
            foreach (var s in arm)
            {
                var i = s.Improvement;
                var spread = s.BestBaseline is { } b ? AttrJson.TryDeserialize<SeedSpread>(b.Trial.UserAttr(TrialAttrs.SeedSpread)) : null;
                var verdict = s.Comparison?.MarginExceedsSpread;
                if (i is not null) gains.Add(i.TestGain);
                rows.Add(new[]
                {
                    s.Data.Name, s.Data.Record.Seed.ToString(Inv), s.Data.Record.SamplerName, s.Data.Trials.Count.ToString(Inv), Minutes(SearchedSeconds(s)),
                    i?.BaselineTag ?? "", ReportTables.F4(i?.BaselineTestPpl), ReportTables.F4(i?.SearchedTestPpl),
                    i is null ? "" : Pct(i.TestGain),
                    spread is null ? "" : ReportTables.F4(spread.Spread),
                    i is null || verdict is null ? "" : verdict.Value ? "yes" : "no",
                });
            }
            if (gains.Count > 0)
            {
                var sorted = gains.Order().ToArray();
                double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
                string label = arms.Count > 1 ? $"{arm.Key}: " : "";
                rows.Add(new[] { $"{label}median", "", "", "", "", "", "", "", Pct(median), "", "" });
                rows.Add(new[] { $"{label}min .. max", "", "", "", "", "", "", "", $"{Pct(sorted[0])} .. {Pct(sorted[^1])}", "", "" });
            }
        }
        return new ReportTable("seeds", $"{seeds.Count} studies (search seeds or ablation arms): searched vs the best hand-set baseline on test",
            ["study", "search seed", "sampler", "trials", "searched part, wall min", "best baseline (chosen on search split)", "baseline test ppl",
             "searched test ppl", "test gain", "baseline calibration-seed spread", "margin > spread"], rows);
    }

    /// <summary>The study name without its -sN search-seed suffix: the arm (variant) it belongs to.</summary>
    public static string Arm(string study)
    {
        int dash = study.LastIndexOf("-s", StringComparison.Ordinal);
        return dash > 0 && study.Length > dash + 2 && study[(dash + 2)..].All(char.IsAsciiDigit) ? study[..dash] : study;
    }

    /// <summary>
    /// Wall seconds of the searched trials: from the end of the last baseline to the end of the last searched
    /// trial (what a sampler costs beyond the baselines every arm shares); null when a part is missing.
    /// </summary>
    public static double? SearchedSeconds(StudySummary s)
    {
        var trials = s.Data.Trials;
        var lastBaseline = trials.Where(t => t.UserAttr(Search.Optimization.Trials.UserAttrKeys.Baseline) is not null && t.EndUtc is not null).Select(t => t.EndUtc!.Value).DefaultIfEmpty().Max();
        var lastSearched = trials.Where(t => t.UserAttr(Search.Optimization.Trials.UserAttrKeys.Baseline) is null && t.EndUtc is not null).Select(t => t.EndUtc!.Value).DefaultIfEmpty().Max();
        return lastBaseline == default || lastSearched == default ? null : (lastSearched - lastBaseline).TotalSeconds;
    }

    private static string Minutes(double? seconds) => seconds is double x ? (x / 60).ToString("F1", Inv) : "";

    /// <summary>The seed whose gain is the median (the one whose full report is shown).</summary>
    public static StudySummary Median(IReadOnlyList<StudySummary> seeds)
    {
        var ranked = seeds.Where(s => s.Improvement is not null).OrderBy(s => s.Improvement!.TestGain).ToList();
        return ranked.Count == 0 ? seeds[0] : ranked[(ranked.Count - 1) / 2];
    }

    private static string Pct(double x) => x.ToString("+0.0%;-0.0%;0.0%", Inv);
}

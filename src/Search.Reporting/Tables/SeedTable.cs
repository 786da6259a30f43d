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
        var gains = new List<double>();
        foreach (var s in seeds)
        {
            var i = s.Improvement;
            var spread = s.BestBaseline is { } b ? AttrJson.TryDeserialize<SeedSpread>(b.Trial.UserAttr(TrialAttrs.SeedSpread)) : null;
            var verdict = s.Comparison?.MarginExceedsSpread;
            if (i is not null) gains.Add(i.TestGain);
            rows.Add(new[]
            {
                s.Data.Name, s.Data.Record.Seed.ToString(Inv), i?.BaselineTag ?? "", ReportTables.F4(i?.BaselineTestPpl), ReportTables.F4(i?.SearchedTestPpl),
                i is null ? "" : Pct(i.TestGain),
                spread is null ? "" : ReportTables.F4(spread.Spread),
                i is null || verdict is null ? "" : verdict.Value ? "yes" : "no",
            });
        }
        if (gains.Count > 0)
        {
            var sorted = gains.Order().ToArray();
            double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
            rows.Add(new[] { "median", "", "", "", "", Pct(median), "", "" });
            rows.Add(new[] { "min .. max", "", "", "", "", $"{Pct(sorted[0])} .. {Pct(sorted[^1])}", "", "" });
        }
        return new ReportTable("seeds", $"{seeds.Count} studies (search seeds or ablation arms): searched vs the best hand-set baseline on test",
            ["study", "search seed", "best baseline (chosen on search split)", "baseline test ppl", "searched test ppl", "test gain",
             "baseline calibration-seed spread", "margin > spread"], rows);
    }

    /// <summary>The seed whose gain is the median (the one whose full report is shown).</summary>
    public static StudySummary Median(IReadOnlyList<StudySummary> seeds)
    {
        var ranked = seeds.Where(s => s.Improvement is not null).OrderBy(s => s.Improvement!.TestGain).ToList();
        return ranked.Count == 0 ? seeds[0] : ranked[(ranked.Count - 1) / 2];
    }

    private static string Pct(double x) => x.ToString("+0.0%;-0.0%;0.0%", Inv);
}

using System.Globalization;
using Search.Records;

namespace Search.Reporting.Tables;

/// <summary>
/// The gain decomposition of the best searched trial (<see cref="GainDecomposition"/>): for each part set
/// back to the best baseline's, the ppl on both splits and the share of the test-split gain that part
/// carries ((reverted − searched) / (baseline − searched); shares need not add up to 100%: parts interact).
/// </summary>
public static class DecompositionTable
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static ReportTable? Of(StudySummary s)
    {
        if (s.BestSearched is not { Final: { } sf } best
            || AttrJson.TryDeserialize<GainDecomposition>(best.Trial.UserAttr(TrialAttrs.Decomposition)) is not { } d) return null;
        var baseline = s.Baselines.FirstOrDefault(b => b.Number == d.BaselineTrial)?.Final;
        var rows = new List<IReadOnlyList<string>>
        {
            new[] { "none (the searched config)", "", "", ReportTables.F4(sf.SearchPpl), ReportTables.F4(sf.TestPpl), "" },
        };
        foreach (var p in d.Parts)
        {
            string share = p.TestPpl is double t && baseline is { } b && b.TestPpl - sf.TestPpl is double gain && Math.Abs(gain) > 1e-12
                ? ((t - sf.TestPpl) / gain).ToString("0%", Inv) : p.TestPpl is null ? "0% (same as the baseline's)" : "";
            rows.Add(new[] { p.Part, p.SearchedValue ?? "", p.BaselineValue ?? "",
                p.SearchPpl is null ? "(unchanged)" : ReportTables.F4(p.SearchPpl), p.TestPpl is null ? "(unchanged)" : ReportTables.F4(p.TestPpl), share });
        }
        if (baseline is { } bf)
            rows.Add(new[] { $"all (the baseline {d.Baseline})", "", "", ReportTables.F4(bf.SearchPpl), ReportTables.F4(bf.TestPpl), "100%" });
        return new ReportTable("decomposition",
            $"Study {s.Data.Name}: where the searched gain comes from — trial {best.DisplayNumber} with one part set back to {d.Baseline}'s",
            ["part set back", "searched", "baseline", "search-split ppl", "test ppl", "share of the test gain"], rows);
    }
}

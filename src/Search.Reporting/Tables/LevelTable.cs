using System.Globalization;
using Search.Records;

namespace Search.Reporting.Tables;

/// <summary>
/// What the level search did in a study (<see cref="LevelRecord"/> on its trials): candidate allocations
/// scored per fidelity stage, the seconds it took, and candidates per hour next to the study's trials per
/// hour (the searched part: a stored trial is pruned and scored by the objective).
/// </summary>
public static class LevelTable
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static ReportTable? Of(StudySummary s)
    {
        var records = s.Views.Where(v => !v.IsBaseline)
            .Select(v => AttrJson.TryDeserialize<LevelRecord>(v.Trial.UserAttr("levels"))).OfType<LevelRecord>().ToList();
        if (records.Count == 0) return null;
        var rows = new List<IReadOnlyList<string>>();
        var stages = records[0].StageTokens;
        int total = records.Sum(r => r.TotalCandidates);
        double seconds = records.Sum(r => r.Seconds);
        double? searched = SeedTable.SearchedSeconds(s);
        for (int k = 0; k < stages.Length; k++)
            rows.Add(new[] { $"stage {k + 1} ({stages[k].ToString("N0", Inv)} tokens)", records.Sum(r => r.Candidates.ElementAtOrDefault(k)).ToString("N0", Inv), "", "" });
        rows.Add(new[] { "all stages", total.ToString("N0", Inv), seconds.ToString("F0", Inv),
            seconds > 0 ? (total / seconds * 3600).ToString("N0", Inv) : "" });
        if (searched is double w && w > 0)
            rows.Add(new[] { $"searched trials ({records.Count})", "", w.ToString("F0", Inv), (records.Count / w * 3600).ToString("N1", Inv) });
        var last = records[^1];
        rows.Add(new[] { "least-squares refits solved / reused (last trial's database)", $"{last.RefitsSolved.ToString("N0", Inv)} / {last.RefitsReused.ToString("N0", Inv)}", "", "" });
        return new ReportTable("levels", $"Study {s.Data.Name}: level search — candidates scored and the time they took",
            ["what", "count", "wall seconds", "per hour"], rows);
    }
}

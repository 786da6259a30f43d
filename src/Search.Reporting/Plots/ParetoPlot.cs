using ScottPlot;

namespace Search.Reporting.Plots;

/// <summary>
/// Test ppl against kept parameters for every finalized trial of every study in the store (one
/// colour per study, so studies at different ratios line up), with the Pareto front over all of them.
/// </summary>
public static class ParetoPlot
{
    public const string FileName = "pareto.png";

    public static string Write(StudySummary primary, IReadOnlyList<StudySummary> all, string dir)
    {
        var plot = PlotFiles.New($"Pareto front: test perplexity vs kept parameters ({all.Count} stud{(all.Count == 1 ? "y" : "ies")})",
            "kept parameters (thousands)", $"test perplexity ({TestSplit(primary)}, lower is better)");
        var front = new List<(double Params, double Ppl)>();
        for (int i = 0; i < all.Count; i++)
        {
            var s = all[i];
            var pts = s.Views.Where(v => v.Final is not null && v.Plan is not null)
                .Select(v => (Params: v.Plan!.TotalParamsAfter / 1000.0, Ppl: v.Final!.TestPpl, v.IsBaseline)).ToList();
            if (pts.Count == 0) continue;
            front.AddRange(pts.Select(p => (p.Params, p.Ppl)));
            foreach (bool baseline in new[] { false, true })
            {
                var sel = pts.Where(p => p.IsBaseline == baseline).ToArray();
                if (sel.Length == 0) continue;
                var sp = plot.Add.Scatter(sel.Select(p => p.Params).ToArray(), sel.Select(p => p.Ppl).ToArray());
                sp.LineWidth = 0;
                sp.MarkerSize = baseline ? 9 : 7;
                sp.MarkerShape = baseline ? MarkerShape.OpenSquare : MarkerShape.FilledCircle;
                sp.Color = PlotFiles.ColorOf(i);
                sp.LegendText = $"{s.Data.Name} ({RatioText(s)}) {(baseline ? "baselines" : "searched")}";
            }
        }
        PlotFiles.AddFrontLine(plot, Front(front), Colors.Black, "Pareto front");
        plot.ShowLegend(Alignment.UpperRight);
        return PlotFiles.Save(plot, dir, FileName);
    }

    /// <summary>Points no other point beats on both axes (more kept parameters is worse), ordered by parameters.</summary>
    public static List<(double Params, double Ppl)> Front(IEnumerable<(double Params, double Ppl)> points) =>
        PlotFiles.Front(points.Select(p => (p.Params, p.Ppl)), higherXIsBetter: false);

    private static string RatioText(StudySummary s) =>
        s.Data.Objective is { } o ? $"ratio {o.Ratio:0.##}" : "ratio ?";

    private static string TestSplit(StudySummary s) =>
        s.Views.Select(v => v.Final?.TestSplit).FirstOrDefault(x => x is not null) ?? "test split";
}

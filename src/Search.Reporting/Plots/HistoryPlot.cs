using ScottPlot;

namespace Search.Reporting.Plots;

/// <summary>Optimization history: every trial's proxy ppl and the best-so-far step line.</summary>
public static class HistoryPlot
{
    public const string FileName = "history.png";

    public static string Write(StudySummary s, string dir)
    {
        var h = s.History();
        var split = s.Views.FirstOrDefault(v => v.Proxy is not null)?.Trial.Scores.FirstOrDefault();
        string unit = split is null ? "" : $" ({split.Split}, {split.Tokens:N0} tok)";
        var plot = PlotFiles.New($"Optimization history: study {s.Data.Name}", "trial number",
            $"proxy perplexity{unit}");
        void Points(bool baseline, string legend, int color, MarkerShape shape)
        {
            var pts = h.Where(r => r.Baseline == baseline).ToArray();
            if (pts.Length == 0) return;
            var sp = plot.Add.Scatter(pts.Select(r => (double)r.Trial).ToArray(), pts.Select(r => r.Proxy).ToArray());
            sp.LineWidth = 0;
            sp.MarkerSize = 8;
            sp.MarkerShape = shape;
            sp.Color = PlotFiles.ColorOf(color);
            sp.LegendText = legend;
        }
        Points(false, "searched trial", 0, MarkerShape.FilledCircle);
        Points(true, "hand-set baseline", 1, MarkerShape.FilledSquare);
        if (h.Count > 0)
        {
            var best = plot.Add.Scatter(h.Select(r => (double)r.Trial).ToArray(), h.Select(r => r.BestSoFar).ToArray());
            best.ConnectStyle = ConnectStyle.StepHorizontal;
            best.MarkerSize = 0;
            best.LineWidth = 2;
            best.Color = PlotFiles.ColorOf(2);
            best.LegendText = "best so far";
        }
        plot.ShowLegend(Alignment.UpperRight);
        return PlotFiles.Save(plot, dir, FileName);
    }
}

using ScottPlot;

namespace Search.Reporting.Plots;

/// <summary>
/// Per-layer kept widths of the best searched config next to FLAP AL-AM's: query heads and MLP
/// channels as a percentage of the dense layer (absolute counts when the store lacks dense widths).
/// </summary>
public static class WidthsPlot
{
    public const string FileName = "widths.png";

    public static string Write(StudySummary s, string dir)
    {
        var configs = new List<(string Name, TrialView View)>();
        if (s.BestSearched?.Plan is not null) configs.Add(($"searched #{s.BestSearched.DisplayNumber}", s.BestSearched));
        if (s.AlAm?.Plan is not null) configs.Add((s.AlAm.Baseline!, s.AlAm));
        var dense = configs.Select(c => c.View.Plan!.DenseLayers).FirstOrDefault(d => d is not null);
        bool fraction = dense is not null;
        var plot = PlotFiles.New($"Per-layer kept widths: study {s.Data.Name}", "decoder layer",
            fraction ? "kept width (% of dense layer)" : "kept units (query heads; MLP channels)");
        var bars = new List<Bar>();
        var legend = new List<(string, Color)>();
        int series = configs.Count * 2;
        double width = 0.8 / Math.Max(1, series);
        int layers = configs.Count == 0 ? 0 : configs.Max(c => c.View.Plan!.Layers.Count);
        for (int c = 0; c < configs.Count; c++)
        {
            var plan = configs[c].View.Plan!;
            for (int module = 0; module < 2; module++)
            {
                int k = c * 2 + module;
                var color = PlotFiles.ColorOf(k);
                legend.Add(($"{configs[c].Name}: {(module == 0 ? "attention heads" : "MLP channels")}", color));
                for (int l = 0; l < plan.Layers.Count; l++)
                {
                    double kept = module == 0 ? plan.Layers[l].Heads : plan.Layers[l].Channels;
                    if (fraction)
                    {
                        double full = module == 0 ? dense![l].Heads : dense![l].Channels;
                        kept = full > 0 ? 100.0 * kept / full : 0;
                    }
                    bars.Add(new Bar
                    {
                        Position = l - 0.4 + width * (k + 0.5),
                        Value = kept,
                        Size = width * 0.95,
                        FillColor = color,
                    });
                }
            }
        }
        if (bars.Count > 0) plot.Add.Bars(bars);
        foreach (var (name, color) in legend) plot.Legend.ManualItems.Add(new LegendItem { LabelText = name, FillColor = color });
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, layers).Select(l => (double)l).ToArray(), Enumerable.Range(0, layers).Select(l => $"layer {l}").ToArray());
        plot.Axes.Margins(bottom: 0);
        // Headroom above the tallest bar keeps the legend off the bars.
        plot.Axes.SetLimitsY(0, fraction ? 140 : Math.Max(1, bars.Select(b => b.Value).DefaultIfEmpty(1).Max()) * 1.4);
        plot.ShowLegend(Alignment.UpperRight);
        return PlotFiles.Save(plot, dir, FileName);
    }
}

using ScottPlot;

namespace Search.Reporting.Plots;

/// <summary>
/// Metric-mixture weights of the top trials as stacked horizontal bars (one bar per trial, best
/// at the top); each bar's label names its calibration set and proxy ppl.
/// </summary>
public static class MixturePlot
{
    public const string FileName = "mixture.png";

    public static string Write(StudySummary s, int k, string dir)
    {
        var top = s.Top(k);
        var plot = PlotFiles.New($"Metric mixture and calibration of the top {top.Count} trials: study {s.Data.Name}",
            "metric-mixture weight (fraction of 1)", "trial (calibration source samples x seqlen, seed; proxy ppl)");
        var components = s.Data.MixComponents;
        var bars = new List<Bar>();
        for (int i = 0; i < top.Count; i++)
        {
            double y = top.Count - 1 - i;
            double start = 0;
            foreach (var (name, weight) in top[i].Mix)
            {
                int c = Math.Max(0, IndexOf(components, name));
                if (weight > 0)
                    bars.Add(new Bar { Position = y, ValueBase = start, Value = start + weight, FillColor = PlotFiles.ColorOf(c), Size = 0.7 });
                start += weight;
            }
        }
        if (bars.Count > 0)
        {
            var bp = plot.Add.Bars(bars);
            bp.Horizontal = true;
        }
        for (int c = 0; c < components.Count; c++)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = components[c], FillColor = PlotFiles.ColorOf(c) });
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            top.Select((_, i) => (double)(top.Count - 1 - i)).ToArray(),
            top.Select(v => $"#{v.DisplayNumber} {(v.IsBaseline ? v.Baseline + " " : "")}{v.CalibrationSource} {v.CalibrationSamples}x{v.CalibrationSeqLen} s{v.CalibrationSeed}; {v.Proxy:F3}").ToArray());
        plot.Axes.SetLimitsX(0, 1.35);
        plot.ShowLegend(Alignment.LowerRight);
        return PlotFiles.Save(plot, dir, FileName);
    }

    private static int IndexOf(IReadOnlyList<string> list, string name)
    {
        for (int i = 0; i < list.Count; i++) if (list[i] == name) return i;
        return -1;
    }
}

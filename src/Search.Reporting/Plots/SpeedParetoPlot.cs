using ScottPlot;
using Search.Records;

namespace Search.Reporting.Plots;

/// <summary>
/// Test ppl against measured decode tokens/s (<c>search --speed</c>) for every timed trial of the
/// study: one series per runtime and kind (searched, baselines), the dense model's decode speed as
/// a vertical line per runtime, and the Pareto front per runtime (faster and lower is better).
/// Written only when the study has speed records.
/// </summary>
public static class SpeedParetoPlot
{
    public const string FileName = "speed-pareto.png";

    public static string? Write(StudySummary s, string dir)
    {
        var timed = s.Views.Where(v => v.Speed is not null && v.Final is not null).ToList();
        if (timed.Count == 0) return null;
        string split = timed[0].Final!.TestSplit;
        var plot = PlotFiles.New($"Test perplexity vs measured decode speed: study {s.Data.Name}",
            $"decode tokens/s (batch 1, {timed[0].Speed!.Threads} threads; higher is better)", $"test perplexity ({split}, lower is better)");
        var runtimes = new (string Name, Func<TrialSpeed, RuntimeSpeed?> Get)[] { ("TorchSharp", x => x.TorchSharp), ("llama.cpp", x => x.LlamaCpp) };
        for (int r = 0; r < runtimes.Length; r++)
        {
            var (name, get) = runtimes[r];
            var pts = timed.Where(v => get(v.Speed!) is not null)
                .Select(v => (Speed: get(v.Speed!)!.Model.DecodeTokensPerSecond, Ppl: v.Final!.TestPpl, v.IsBaseline, Dense: get(v.Speed!)!.Dense.DecodeTokensPerSecond))
                .ToList();
            if (pts.Count == 0) continue;
            foreach (bool baseline in new[] { false, true })
            {
                var sel = pts.Where(p => p.IsBaseline == baseline).ToArray();
                if (sel.Length == 0) continue;
                var sp = plot.Add.Scatter(sel.Select(p => p.Speed).ToArray(), sel.Select(p => p.Ppl).ToArray());
                sp.LineWidth = 0;
                sp.MarkerSize = baseline ? 9 : 7;
                sp.MarkerShape = baseline ? MarkerShape.OpenSquare : MarkerShape.FilledCircle;
                sp.Color = PlotFiles.ColorOf(r);
                sp.LegendText = $"{name} {(baseline ? "baselines" : "searched")}";
            }
            var dense = plot.Add.VerticalLine(Median(pts.Select(p => p.Dense)));
            dense.Color = PlotFiles.ColorOf(r);
            dense.LinePattern = LinePattern.Dotted;
            dense.LegendText = $"{name} dense (median over runs)";
            PlotFiles.AddFrontLine(plot, Front(pts.Select(p => (p.Speed, p.Ppl))), PlotFiles.ColorOf(r), $"{name} Pareto front");
        }
        plot.ShowLegend(Alignment.UpperRight);
        return PlotFiles.Save(plot, dir, FileName);
    }

    /// <summary>Points no other point beats on both axes (faster and lower ppl), ordered by speed.</summary>
    public static List<(double Speed, double Ppl)> Front(IEnumerable<(double Speed, double Ppl)> points) =>
        PlotFiles.Front(points.Select(p => (p.Speed, p.Ppl)), higherXIsBetter: true);

    private static double Median(IEnumerable<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }
}

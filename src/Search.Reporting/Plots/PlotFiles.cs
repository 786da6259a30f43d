using ScottPlot;

namespace Search.Reporting.Plots;

/// <summary>Shared look and the PNG write for every report plot (fixed size so reports diff cleanly).</summary>
public static class PlotFiles
{
    public const int Width = 900;
    public const int Height = 560;

    public static Color ColorOf(int i) => new ScottPlot.Palettes.Category10().GetColor(i);

    public static Plot New(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        return plot;
    }

    /// <summary>
    /// Points no other point beats on both axes — lower perplexity and a better x (smaller, or larger
    /// when <paramref name="higherXIsBetter"/>) — in ascending x.
    /// </summary>
    public static List<(double X, double Ppl)> Front(IEnumerable<(double X, double Ppl)> points, bool higherXIsBetter)
    {
        var result = new List<(double, double)>();
        double best = double.PositiveInfinity;
        var bestXFirst = higherXIsBetter ? points.OrderByDescending(p => p.X) : points.OrderBy(p => p.X);
        foreach (var p in bestXFirst.ThenBy(p => p.Ppl))
            if (p.Ppl < best)
            {
                result.Add(p);
                best = p.Ppl;
            }
        if (higherXIsBetter) result.Reverse();
        return result;
    }

    /// <summary>A Pareto front as a dashed step line (nothing for fewer than two points).</summary>
    public static void AddFrontLine(Plot plot, IReadOnlyList<(double X, double Ppl)> front, Color color, string legend)
    {
        if (front.Count < 2) return;
        var line = plot.Add.Scatter(front.Select(p => p.X).ToArray(), front.Select(p => p.Ppl).ToArray());
        line.ConnectStyle = ConnectStyle.StepHorizontal;
        line.MarkerSize = 0;
        line.LineWidth = 1.5f;
        line.LinePattern = LinePattern.Dashed;
        line.Color = color;
        line.LegendText = legend;
    }

    public static string Save(Plot plot, string dir, string fileName)
    {
        string path = Path.Combine(dir, fileName);
        plot.SavePng(path, Width, Height);
        return path;
    }
}

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

    public static string Save(Plot plot, string dir, string fileName)
    {
        string path = Path.Combine(dir, fileName);
        plot.SavePng(path, Width, Height);
        return path;
    }
}

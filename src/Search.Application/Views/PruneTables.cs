using Search.Application.Prune;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Search.Application.Views;

/// <summary><c>prune</c>'s console view of a <see cref="PruneReport"/> (the JSON view is the record itself).</summary>
public static class PruneTables
{
    public static void Print(IAnsiConsole console, PruneReport r)
    {
        var layers = new Table().AddColumns("layer", "heads", "KV heads", "MLP channels", "o/down bias");
        foreach (var l in r.Layers)
            AddRow(layers, $"{l.Layer}", $"{l.HeadsBefore} → {l.HeadsAfter}", $"{l.KvHeadsBefore} → {l.KvHeadsAfter}",
                $"{l.ChannelsBefore} → {l.ChannelsAfter}", $"{(l.OProjBias ? "yes" : "no")}/{(l.DownProjBias ? "yes" : "no")}");
        console.Write(layers);

        var summary = new Table().AddColumns("field", "value");
        AddRow(summary, "model", r.Model);
        AddRow(summary, "structure / metric / compensation", $"{r.Structure} / {r.Metric} / {r.Compensation}");
        AddRow(summary, "calibration", (r.Calibration is null ? "none (data-free)" :
            $"{r.Calibration} ({(r.StatsFromCache == true ? "cached sums" : "dense pass")}; {r.Statistics} statistics)"));
        AddRow(summary, "evaluation", $"{r.Eval}, bos {r.Bos}, {r.EvalWindows} windows, {r.EvalScoredTokens:N0} scored tokens");
        AddRow(summary, "ratio target → achieved", double.IsNaN(r.TargetRatio)
            ? $"per-layer → {r.AchievedRatio:P2}"
            : $"{r.TargetRatio:P2} → {r.AchievedRatio:P2}");
        AddRow(summary, "params total → after", $"{r.ParamsTotal:N0} → {r.ParamsAfter:N0}");
        AddRow(summary, "params prunable / removed", $"{r.ParamsPrunable:N0} / {r.ParamsRemoved:N0}");
        AddRow(summary, "perplexity dense → pruned", $"{FiniteJson.Cell(r.DensePpl, "F4")} → {FiniteJson.Cell(r.PrunedPpl, "F4")}");
        AddRow(summary, "seconds stats / scoring+allocation / surgery / eval",
            $"{r.SecondsStats:F2} / {r.SecondsScoringAllocation:F3} / {r.SecondsSurgery:F3} / {r.SecondsEval:F2} (dense eval {r.SecondsEvalDense:F2})");
        if (r.Out is not null) AddRow(summary, "saved to", r.Out);
        console.Write(summary);
        foreach (var line in r.Quantization?.Lines ?? []) console.WriteLine(line);
    }

    /// <summary>
    /// Cells as plain <see cref="Text"/>: markup strings would turn "synthetic:train:…" into an emoji
    /// (Spectre shortcodes) and choke on '[' in paths.
    /// </summary>
    private static void AddRow(Table table, params string[] cells) => table.AddRow(cells.Select(c => (IRenderable)new Text(c)));
}

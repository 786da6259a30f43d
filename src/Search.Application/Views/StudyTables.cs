using Search.Optimization.Trials;
using Spectre.Console;
using Search.Records;

namespace Search.Application.Views;

/// <summary>Console tables read from stored trials only (no model needed).</summary>
public static class StudyTables
{
    /// <summary>
    /// Hand-set baselines and the best searched trial (<see cref="SearchedRule"/>, the one
    /// <c>export --trial best</c> writes), then the verdict on test (<see cref="BaselineComparison"/>).
    /// </summary>
    public static void Summary(TextWriter output, string study, IReadOnlyList<FrozenTrial> trials)
    {
        var baselines = trials.Where(t => t.State == TrialState.Complete && t.UserAttr(UserAttrKeys.Baseline) is not null && Final(t) is not null).ToList();
        var best = SearchedRule.Best(trials);
        var table = new Table().Title($"study {Markup.Escape(study)}: searched vs hand-set")
            .AddColumns("trial", "config", "proxy ppl", "search-split ppl", "test ppl", "achieved ratio", "params after");
        foreach (var t in best is null ? baselines : [.. baselines, best])
        {
            var f = Final(t);
            var plan = AttrJson.Deserialize<PlanSummary>(t.UserAttr(TrialAttrs.Plan));
            string config = t.UserAttr(UserAttrKeys.Baseline) ?? (f is null ? "searched (best by proxy; not finalized)" : "searched (best on search split)");
            table.AddRow($"{t.Number + 1}", Markup.Escape(config), $"{t.Value:F4}", f is null ? "" : $"{f.SearchPpl:F4}", f is null ? "" : $"{f.TestPpl:F4}",
                plan is null ? "" : $"{plan.AchievedRatio:P2}", plan is null ? "" : $"{plan.TotalParamsAfter:N0}");
        }
        Terminal.ConsoleFor(output).Write(table);
        if (BaselineComparison.Of(trials) is { } c)
        {
            output.WriteLine($"test ppl: searched {c.SearchedFinal.TestPpl:F4} vs the best hand-set baseline (chosen on the search split) {c.BaselineFinal.TestPpl:F4} " +
                             $"({c.BaselineTag}): {c.Gain:+0.00%;-0.00%} {(c.Better ? "better" : "not better")}");
            if (c.Spread is { } spread)
                output.WriteLine($"margin {c.Margin:F4} vs that baseline's calibration-seed spread {spread.Spread:F4} " +
                                 $"(seeds {string.Join(",", spread.Seeds)}): {(c.MarginExceedsSpread == true ? "larger" : "NOT larger")}");
        }
        int failed = trials.Count(t => t.State == TrialState.Failed);
        if (failed > 0) output.WriteLine($"{failed} failed trial(s): see `prunesearch trials --study {study}`");
    }

    public static FinalScores? Final(FrozenTrial t) => AttrJson.Deserialize<FinalScores>(t.UserAttr(TrialAttrs.Final));

    public static void List(TextWriter output, string study, IReadOnlyList<string> mixComponents, IReadOnlyList<FrozenTrial> trials)
    {
        var table = new Table().Title($"study {Markup.Escape(study)}: {trials.Count} trials")
            .AddColumns("#", "state", "ppl (proxy)", "tokens", "test ppl", "achieved", "config", "seconds", "error");
        foreach (var t in trials)
        {
            var plan = AttrJson.Deserialize<PlanSummary>(t.UserAttr(TrialAttrs.Plan));
            var timings = AttrJson.Deserialize<TrialTimings>(t.UserAttr(TrialAttrs.Timings));
            table.AddRow($"{t.Number + 1}", t.State.ToString(), t.Value is double v ? $"{v:F4}" : "",
                t.Scores.FirstOrDefault()?.Tokens.ToString() ?? "", Final(t) is { } f ? $"{f.TestPpl:F4}" : "",
                plan is null ? "" : $"{plan.AchievedRatio:P2}", Markup.Escape(Describe(t, mixComponents)),
                timings is null ? "" : $"{timings.Total:F2}", Markup.Escape(t.Error ?? ""));
        }
        Terminal.ConsoleFor(output).Write(table);
    }

    /// <summary>A short text of a trial's config: baseline tag or calibration + mixture + structure.</summary>
    public static string Describe(FrozenTrial t, IReadOnlyList<string> mixComponents)
    {
        if (t.UserAttr(UserAttrKeys.Baseline) is { } tag) return tag;
        try
        {
            var p = TrialParams.Decode(t.Params, mixComponents);
            return $"{p.CalibrationText}; {p.MixText}; {p.Structure}; {p.Compensation}";
        }
        catch (RecordInputException)
        {
            return string.Join(" ", t.Params.Select(kv => $"{kv.Key}={kv.Value}"));
        }
    }
}

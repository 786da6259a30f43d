using Search.Optimization.Trials;
using Spectre.Console;
using Search.Records;

namespace Search.Cli;

/// <summary>Console tables read from stored trials only (no model needed).</summary>
public static class StudyTables
{
    /// <summary>Hand-set baselines and the best searched trial, by test ppl where finalized.</summary>
    public static void Summary(TextWriter output, string study, IReadOnlyList<FrozenTrial> trials)
    {
        var complete = trials.Where(t => t.State == TrialState.Complete).ToList();
        var finals = complete.Where(t => t.UserAttr(TrialAttrs.Final) is not null).ToList();
        var baselines = finals.Where(t => t.UserAttr(UserAttrKeys.Baseline) is not null).ToList();
        var searched = finals.Where(t => t.UserAttr(UserAttrKeys.Baseline) is null)
            .OrderBy(t => Final(t)!.SearchPpl).ToList();
        var table = new Table().Title($"study {Markup.Escape(study)}: searched vs hand-set")
            .AddColumns("trial", "config", "proxy ppl", "search-split ppl", "test ppl", "achieved ratio", "params after");
        foreach (var t in baselines.Concat(searched.Take(1)))
        {
            var f = Final(t)!;
            var plan = AttrJson.Deserialize<PlanSummary>(t.UserAttr(TrialAttrs.Plan));
            table.AddRow($"{t.Number + 1}", Markup.Escape(t.UserAttr(UserAttrKeys.Baseline) ?? "searched (best on search split)"),
                $"{t.Value:F4}", $"{f.SearchPpl:F4}", $"{f.TestPpl:F4}",
                plan is null ? "" : $"{plan.AchievedRatio:P2}", plan is null ? "" : $"{plan.TotalParamsAfter:N0}");
        }
        Progress.ConsoleFor(output).Write(table);
        if (BaselineRule.Best(trials) is { } bestBase && searched.Count > 0)
        {
            double b = Final(bestBase)!.TestPpl, s = Final(searched[0])!.TestPpl;
            output.WriteLine($"test ppl: searched {s:F4} vs the best hand-set baseline (chosen on the search split) {b:F4} " +
                             $"({bestBase.UserAttr(UserAttrKeys.Baseline)}): {(b - s) / b:+0.00%;-0.00%} {(s < b ? "better" : "not better")}");
            if (AttrJson.Deserialize<SeedSpread>(bestBase.UserAttr(TrialAttrs.SeedSpread)) is { } spread)
                output.WriteLine($"margin {b - s:F4} vs that baseline's calibration-seed spread {spread.Spread:F4} " +
                                 $"(seeds {string.Join(",", spread.Seeds)}): {(b - s > spread.Spread ? "larger" : "NOT larger")}");
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
        Progress.ConsoleFor(output).Write(table);
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

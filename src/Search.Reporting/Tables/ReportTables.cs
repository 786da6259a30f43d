using Search.Records;
using System.Globalization;
using Search.Reporting.Experiments;

namespace Search.Reporting.Tables;

/// <summary>The tables of a study report, built from the store only.</summary>
public static class ReportTables
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string F4(double? x) => x is double v ? v.ToString("F4", Inv) : "";

    public static string Pct(double? x) => x is double v ? v.ToString("0.00%", Inv) : "";

    public static string Count(long? x) => x is long v ? v.ToString("N0", Inv) : "";

    /// <summary>Study-wide protocol: model, space, sampler, seed, objective (split, seqlen, bos, budgets).</summary>
    public static ReportTable Protocol(StudySummary s)
    {
        var r = s.Data.Record;
        var o = s.Data.Objective;
        var final = s.BestSearched?.Final ?? s.Baselines.FirstOrDefault(b => b.Final is not null)?.Final;
        var proxy = s.Views.FirstOrDefault(v => v.Proxy is not null)?.Trial.Scores.FirstOrDefault();
        var rows = new List<IReadOnlyList<string>>
        {
            new[] { "model", $"{Path.GetFileName(r.ModelPath.TrimEnd('/', '\\'))} (hash {Short(r.ModelHash)}, {r.LayerCount?.ToString(Inv) ?? "?"} layers)" },
            new[] { "search space", SpaceName(r.SpaceJson) },
            new[] { "sampler / seed", $"{r.SamplerName} / {r.Seed}" },
            new[] { "trials", $"{s.Views.Count} ({s.Views.Count(v => v.Proxy is not null)} complete, {s.Failed} failed, {s.Baselines.Count} hand-set)" },
        };
        if (o is not null)
        {
            rows.Add(new[] { "target ratio", o.Ratio.ToString("0.###", Inv) + " of attention+MLP linear parameters removed" });
            rows.Add(new[] { "evaluation", $"{o.EvalDataset}, seqlen {o.SeqLen}, bos {o.Bos}" });
            rows.Add(new[] { "proxy", $"{o.ProxyWindows} windows of the search split" + (proxy is null ? "" : $" ({proxy.Split}, {proxy.Tokens.ToString("N0", Inv)} tokens)") });
            rows.Add(new[] { "calibration pool", $"{o.PoolSize} windows per (source, seqlen, seed); a trial takes the first n (n on the ladder 1, 2, 4, …, pool)" });
            rows.Add(new[] { "final scoring budget", o.FinalTokens is long ft ? $"first {ft.ToString("N0", Inv)} tokens of each split" : "whole splits" });
            if (o.WidthMultiple is int n)
                rows.Add(new[] { "MLP width multiple", $"{n} channels per layer (searched configs and exact-budget twins)" });
        }
        else rows.Add(new[] { "objective", r.ObjectiveDescription });
        if (final is not null)
            rows.Add(new[] { "final splits", $"search {final.SearchSplit} ({final.SearchTokens.ToString("N0", Inv)} tokens), test {final.TestSplit} ({final.TestTokens.ToString("N0", Inv)} tokens)" });
        rows.Add(new[] { "software", r.SoftwareVersion });
        return new ReportTable("protocol", $"Study {s.Data.Name}: protocol", ["field", "value"], rows);
    }

    /// <summary>"61.20 ± 1.54" per (task, metric), then the two means; empty where the trial has no task scores.</summary>
    public static IEnumerable<string> TaskCells(TaskScores? scores, IReadOnlyList<(string Task, string Metric)> columns)
    {
        static string P(double? v) => v is double x ? (100 * x).ToString("F2", Inv) : "";
        foreach (var (task, metric) in columns)
        {
            var m = scores?.Tasks.FirstOrDefault(t => t.Task == task)?.Metric(metric);
            yield return m is null ? "" : m.Stderr is double se ? $"{P(m.Value)} ± {P(se)}" : P(m.Value);
        }
        yield return P(scores?.MeanAcc);
        yield return P(scores?.MeanHeadline);
    }

    /// <summary>Each hand-set baseline and the best searched config, with everything needed to rebuild them.</summary>
    public static ReportTable Summary(StudySummary s)
    {
        var rows = new List<IReadOnlyList<string>>();
        var listed = s.Baselines.ToList();
        if (s.BestSearched is not null) listed.Add(s.BestSearched);
        foreach (var v in listed)
        {
            string method = v.IsBaseline ? v.Baseline! : "searched (best on search split)";
            rows.Add(new[]
            {
                method, v.DisplayNumber.ToString(Inv), F4(v.Proxy), F4(v.Final?.SearchPpl), F4(v.Final?.TestPpl),
                Count(v.Plan?.TotalParamsAfter), Pct(v.Plan?.AchievedRatio), v.CalibrationText, v.MixText,
                v.Structure ?? "", v.Compensation ?? "", v.Trial.Seed.ToString(Inv), v.WidthsText,
            });
        }
        string[] headers = ["method", "trial", "proxy ppl", "search ppl", "test ppl", "params after", "achieved ratio", "calibration",
             "metric mix", "structure", "compensation", "trial seed", "widths per layer (heads/kv/channels)"];
        // Studies scored with search --final-tasks add one column per task and metric, and the means.
        var taskColumns = listed.SelectMany(v => v.Tasks?.Tasks ?? []).SelectMany(t => t.Metrics.Select(m => (t.Task, m.Metric))).Distinct().ToList();
        if (taskColumns.Count > 0)
        {
            headers = [.. headers, .. taskColumns.Select(c => $"{c.Task} {c.Metric} (%)"), "mean acc (%)", "mean acc_norm|acc (%)"];
            rows = rows.Select((r, i) => (IReadOnlyList<string>)[.. r, .. TaskCells(listed[i].Tasks, taskColumns)]).ToList();
        }
        // Studies timed with search --speed add the measured speedup; others keep their columns.
        if (listed.Any(v => v.Speed is not null))
        {
            headers = [.. headers, "decode speedup (TorchSharp)"];
            rows = rows.Select((r, i) => (IReadOnlyList<string>)[.. r, Speedup(listed[i].Speed?.TorchSharp)]).ToList();
        }
        if (listed.Any(v => v.Speed?.LlamaCpp is not null))
        {
            headers = [.. headers, "decode speedup (llama.cpp)"];
            rows = rows.Select((r, i) => (IReadOnlyList<string>)[.. r, Speedup(listed[i].Speed?.LlamaCpp)]).ToList();
        }
        return new ReportTable("summary", $"Study {s.Data.Name}: best searched vs hand-set baselines", headers, rows);
    }

    private static string Speedup(RuntimeSpeed? r) => r is null ? "" : r.DecodeSpeedup.ToString("0.00", Inv) + "x";

    private static string Megabytes(long? bytes) => bytes is long b ? (b / 1e6).ToString("0.###", Inv) : "";

    private static string Tps(double? x) => x is double v ? v.ToString("F1", Inv) : "";

    /// <summary>
    /// Measured prefill/decode tokens/s of every timed trial and of the dense model measured
    /// interleaved with it (<c>search --speed</c>), with the speedups; null when nothing was timed.
    /// </summary>
    public static ReportTable? Speed(StudySummary s)
    {
        var timed = s.Views.Where(v => v.Speed is not null).OrderBy(v => v.IsBaseline ? 0 : 1).ThenBy(v => v.Number).ToList();
        if (timed.Count == 0) return null;
        bool llama = timed.Any(v => v.Speed!.LlamaCpp is not null);
        var first = timed[0].Speed!;
        string[] headers = ["method", "trial", "test ppl", "params after",
            "TorchSharp prefill tok/s", "× dense", "TorchSharp decode tok/s", "× dense", "dense decode tok/s"];
        if (llama) headers = [.. headers, "llama.cpp prefill tok/s", "× dense", "llama.cpp decode tok/s", "× dense", "dense decode tok/s"];
        // Records that store GGUF sizes (search --speed since --speed-quant) add them; older ones keep their columns.
        bool sizes = timed.Any(v => v.Speed!.LlamaCpp?.ModelBytes is not null);
        if (sizes) headers = [.. headers, "GGUF MB", "dense GGUF MB"];
        headers = [.. headers, "threads", "load avg"];
        var rows = timed.Select(v =>
        {
            var sp = v.Speed!;
            var cells = new List<string>
            {
                v.Baseline ?? $"searched #{v.DisplayNumber}", v.DisplayNumber.ToString(Inv), F4(v.Final?.TestPpl), Count(v.Plan?.TotalParamsAfter),
                Tps(sp.TorchSharp.Model.PrefillTokensPerSecond), sp.TorchSharp.PrefillSpeedup.ToString("0.00", Inv),
                Tps(sp.TorchSharp.Model.DecodeTokensPerSecond), sp.TorchSharp.DecodeSpeedup.ToString("0.00", Inv), Tps(sp.TorchSharp.Dense.DecodeTokensPerSecond),
            };
            if (llama)
                cells.AddRange(sp.LlamaCpp is { } l
                    ? [Tps(l.Model.PrefillTokensPerSecond), l.PrefillSpeedup.ToString("0.00", Inv), Tps(l.Model.DecodeTokensPerSecond),
                       l.DecodeSpeedup.ToString("0.00", Inv), Tps(l.Dense.DecodeTokensPerSecond)]
                    : ["", "", "", "", ""]);
            if (sizes) cells.AddRange([Megabytes(sp.LlamaCpp?.ModelBytes), Megabytes(sp.LlamaCpp?.DenseBytes)]);
            cells.Add(sp.Threads.ToString(Inv));
            cells.Add(sp.LoadBefore is double a && sp.LoadAfter is double b ? $"{a.ToString("F1", Inv)}→{b.ToString("F1", Inv)}" : "");
            return (IReadOnlyList<string>)cells;
        }).ToList();
        var p = first.Protocol;
        string weights = sizes && timed.First(v => v.Speed!.LlamaCpp?.ModelBytes is not null).Speed!.LlamaCpp is { } lr ? $"; {lr.Runtime}" : "";
        return new ReportTable("speed",
            $"Study {s.Data.Name}: measured speed (batch 1, {p.PromptTokens}-token prompt, {p.NewTokens} new tokens, median of {p.Repeats} after {p.Warmup} warm-up; " +
            $"{first.Machine.Cpu}, {first.Machine.LogicalCores} logical cores; each trial timed interleaved with the dense model{weights})",
            headers, rows);
    }

    /// <summary>Every trial scored with <c>search --final-tasks</c> (baselines first): test ppl beside each task's metrics (%, ± stderr) and the means.</summary>
    public static ReportTable? Tasks(StudySummary s)
    {
        var scored = s.Views.Where(v => v.Tasks is not null).OrderBy(v => v.IsBaseline ? 0 : 1).ThenBy(v => v.Final?.TestPpl ?? double.MaxValue).ToList();
        if (scored.Count == 0) return null;
        var columns = scored.SelectMany(v => v.Tasks!.Tasks).SelectMany(t => t.Metrics.Select(m => (t.Task, m.Metric))).Distinct().ToList();
        string[] headers = ["method", "trial", "test ppl", "params after", .. columns.Select(c => $"{c.Task} {c.Metric} (%)"), "mean acc (%)", "mean acc_norm|acc (%)"];
        var rows = scored.Select(v => (IReadOnlyList<string>)[
            v.Baseline ?? $"searched #{v.DisplayNumber}", v.DisplayNumber.ToString(Inv), F4(v.Final?.TestPpl), Count(v.Plan?.TotalParamsAfter),
            .. TaskCells(v.Tasks, columns)]).ToList();
        var first = scored[0].Tasks!;
        string items = first.ItemCap is int cap ? $"first {cap.ToString("N0", Inv)} items per task" : "all items";
        string files = string.Join("; ", first.Tasks.SelectMany(t => t.Files.Select(f => $"{t.Task} {t.Split}: {Path.GetFileName(f.Path)} sha256 {f.Sha256[..12]}…")));
        return new ReportTable("tasks", $"Study {s.Data.Name}: zero-shot multiple-choice accuracy ({items}, contexts {first.Bos}; {files})", headers, rows);
    }

    public static ReportTable Top(StudySummary s, int k) => new("top",
        $"Study {s.Data.Name}: top {k} trials by proxy ppl",
        ["rank", "trial", "kind", "proxy ppl", "proxy tokens", "search ppl", "test ppl", "achieved ratio", "calibration", "metric mix", "structure"],
        s.Top(k).Select((v, i) => (IReadOnlyList<string>)new[]
        {
            (i + 1).ToString(Inv), v.DisplayNumber.ToString(Inv), v.Baseline ?? "searched", F4(v.Proxy), Count(v.ProxyTokens),
            F4(v.Final?.SearchPpl), F4(v.Final?.TestPpl), Pct(v.Plan?.AchievedRatio), v.CalibrationText, v.MixText, v.Structure ?? "",
        }).ToList());

    /// <summary>
    /// Published numbers next to this study's measurement of the same method (matched by tag and
    /// ratio), with the difference measured − published. Different models make the difference a
    /// protocol check, not a claim: the model column says which is which.
    /// </summary>
    public static ReportTable Published(StudySummary s, IReadOnlyList<PublishedRow> published)
    {
        double? ratio = s.Data.Objective?.Ratio;
        var rows = published.Select(p =>
        {
            var measured = Measured(s, p, ratio);
            double? ppl = measured?.Final?.TestPpl;
            return (IReadOnlyList<string>)new[]
            {
                p.Method, p.Model, p.Ratio.ToString("0%", Inv), p.Dataset, p.SeqLen.ToString(Inv), p.Ppl.ToString("F2", Inv),
                ppl is null ? "not run here" : F4(ppl), measured is null ? "" : $"{Path.GetFileName(s.Data.Record.ModelPath.TrimEnd('/'))} trial {measured.DisplayNumber} ({measured.Final!.TestSplit})",
                ppl is double m ? (m - p.Ppl).ToString("+0.00;-0.00", Inv) : "", p.Source,
            };
        }).ToList();
        return new ReportTable("published", $"Study {s.Data.Name}: published vs measured",
            ["method", "published model", "ratio", "dataset", "seqlen", "published ppl", "measured test ppl", "measured on", "difference", "source"], rows);
    }

    /// <summary>Published zero-shot accuracies (rows with <c>zero_shot</c>) next to the tagged trial's measured ones: "published / measured" per task and metric (%).</summary>
    public static ReportTable? PublishedZeroShot(StudySummary s, IReadOnlyList<PublishedRow> published)
    {
        var withTasks = published.Where(p => p.ZeroShot is { Count: > 0 }).ToList();
        if (withTasks.Count == 0) return null;
        double? ratio = s.Data.Objective?.Ratio;
        var keys = withTasks.SelectMany(p => p.ZeroShot!.Keys).Distinct().ToList();
        var rows = withTasks.Select(p =>
        {
            var tasks = Measured(s, p, ratio)?.Tasks;
            var cells = keys.Select(k =>
            {
                string pub = p.ZeroShot!.TryGetValue(k, out var v) ? v.ToString("F2", Inv) : "";
                var parts = k.Split('.', 2);
                var m = parts.Length == 2 ? tasks?.Tasks.FirstOrDefault(t => t.Task == parts[0])?.Metric(parts[1]) : null;
                return m is null ? pub : $"{pub} / {(100 * m.Value).ToString("F2", Inv)}";
            });
            return (IReadOnlyList<string>)[p.Method, p.Model, p.Ratio.ToString("0%", Inv), .. cells, p.Source];
        }).ToList();
        return new ReportTable("published-zero-shot", $"Study {s.Data.Name}: published zero-shot accuracy (%) / measured (search --final-tasks)",
            ["method", "published model", "ratio", .. keys, "source"], rows);
    }

    public static TrialView? Measured(StudySummary s, PublishedRow p, double? ratio)
    {
        if (p.Tag is null || ratio is null || Math.Abs(ratio.Value - p.Ratio) > 1e-9) return null;
        var v = p.Tag == "searched" ? s.BestSearched : s.Baselines.FirstOrDefault(b => b.Baseline == p.Tag);
        return v?.Final is null ? null : v;
    }

    /// <summary>The improvement on the search split and on the test split, and how much survives.</summary>
    public static ReportTable Improvement(StudySummary s)
    {
        var rows = new List<IReadOnlyList<string>>();
        if (s.Improvement is { } i)
        {
            rows.Add(new[] { i.SearchSplit, "search", F4(i.SearchedSearchPpl), F4(i.BaselineSearchPpl), i.SearchGain.ToString("+0.00%;-0.00%;0.00%", Inv) });
            rows.Add(new[] { i.TestSplit, "test", F4(i.SearchedTestPpl), F4(i.BaselineTestPpl), i.TestGain.ToString("+0.00%;-0.00%;0.00%", Inv) });
            rows.Add(new[] { "survives on test", "", "", "", i.Survival is double v ? v.ToString("0%", Inv) : "n/a (no search-split gain)" });
            // The yardstick: the best baseline on test, re-calibrated with other calibration seeds.
            if (s.Comparison is { Spread: { } spread } c)
                rows.Add(new[] { $"{c.BaselineFinal.TestSplit}, seeds {string.Join(",", spread.Seeds)}", $"{c.BaselineTag} seed spread",
                    F4(c.SearchedFinal.TestPpl), $"{F4(spread.TestPpl.Min())}..{F4(spread.TestPpl.Max())}",
                    $"margin {F4(c.Margin)} {(c.MarginExceedsSpread == true ? ">" : "<=")} spread {F4(spread.Spread)}" });
        }
        string vs = s.Improvement is null ? "" : $" (trial {s.Improvement.SearchedTrial}) vs {s.Improvement.BaselineTag} (trial {s.Improvement.BaselineTrial})";
        return new ReportTable("improvement", $"Study {s.Data.Name}: best searched{vs}",
            ["split", "role", "searched ppl", "best baseline ppl", "relative reduction"], rows);
    }

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] : hash;

    private static string SpaceName(string json)
    {
        try { return Search.Optimization.Spaces.SearchSpace.Parse(json).Name; }
        catch (Search.Optimization.OptimizationInputException) { return "(unparsable space JSON)"; }
    }
}

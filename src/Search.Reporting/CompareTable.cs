using System.Globalization;
using Search.Reporting.Tables;

namespace Search.Reporting;

/// <summary>
/// Side by side: one column per study (its best searched config) or per chosen trial, one row per
/// field, so two searches (or a searched config and a baseline) can be read across.
/// </summary>
public static class CompareTable
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public sealed record Column(string Header, StudySummary Study, TrialView? Trial);

    public static ReportTable Build(IReadOnlyList<Column> columns)
    {
        var fields = new (string Name, Func<Column, string> Value)[]
        {
            ("study", c => c.Study.Data.Name),
            ("model", c => $"{Path.GetFileName(c.Study.Data.Record.ModelPath.TrimEnd('/'))} ({Short(c.Study.Data.Record.ModelHash)})"),
            ("sampler / seed", c => $"{c.Study.Data.Record.SamplerName} / {c.Study.Data.Record.Seed}"),
            ("target ratio", c => c.Study.Data.Objective?.Ratio.ToString("0.###", Inv) ?? ""),
            ("evaluation", c => c.Study.Data.Objective is { } o ? $"{o.EvalDataset} seqlen {o.SeqLen} bos {o.Bos}" : ""),
            ("trials (complete)", c => $"{c.Study.Views.Count} ({c.Study.Views.Count(v => v.Proxy is not null)})"),
            ("trial", c => c.Trial is null ? "" : $"{c.Trial.DisplayNumber} ({c.Trial.Baseline ?? "searched"})"),
            ("proxy ppl", c => ReportTables.F4(c.Trial?.Proxy)),
            ("search ppl", c => ReportTables.F4(c.Trial?.Final?.SearchPpl)),
            ("test ppl", c => ReportTables.F4(c.Trial?.Final?.TestPpl)),
            ("best baseline (test ppl)", c => c.Study.BestBaseline is { } b ? $"{b.Baseline} ({ReportTables.F4(b.Final?.TestPpl)})" : ""),
            ("test gain vs best baseline", c => c.Trial?.Final is { } f && c.Study.BestBaseline?.Final is { } b
                ? ((b.TestPpl - f.TestPpl) / b.TestPpl).ToString("+0.00%;-0.00%;0.00%", Inv) : ""),
            ("params after", c => ReportTables.Count(c.Trial?.Plan?.TotalParamsAfter)),
            ("achieved ratio", c => ReportTables.Pct(c.Trial?.Plan?.AchievedRatio)),
            ("calibration", c => c.Trial?.CalibrationText ?? ""),
            ("metric mix", c => c.Trial?.MixText ?? ""),
            ("structure", c => c.Trial is null ? "" : $"{c.Trial.Structure} / {c.Trial.Compensation}"),
            ("widths per layer", c => c.Trial?.WidthsText ?? ""),
        };
        return new ReportTable("compare", "Side-by-side comparison", ["field", .. columns.Select(c => c.Header)],
            fields.Select(f => (IReadOnlyList<string>)[f.Name, .. columns.Select(f.Value)]).ToList());
    }

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] : hash;
}

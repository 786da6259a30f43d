using System.Globalization;
using Search.Optimization.Trials;
using Search.Reporting.Records;

namespace Search.Reporting;

/// <summary>
/// One trial flattened for tables and plots: its decoded attributes and the config fields a
/// reader compares (calibration, metric mixture, structure). Missing attributes stay null.
/// </summary>
public sealed record TrialView(
    FrozenTrial Trial,
    PlanSummary? Plan,
    FinalScores? Final,
    TrialTimings? Timings,
    string? CalibrationSource,
    int? CalibrationSamples,
    int? CalibrationSeqLen,
    int? CalibrationSeed,
    IReadOnlyList<KeyValuePair<string, double>> Mix,
    string? Structure,
    string? Compensation)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public int Number => Trial.Number;

    /// <summary>1-based, as every table prints trial numbers.</summary>
    public int DisplayNumber => Trial.Number + 1;

    public string? Baseline => Trial.UserAttr(UserAttrKeys.Baseline);

    public bool IsBaseline => Baseline is not null;

    public double? Proxy => Trial.State == TrialState.Complete ? Trial.Value : null;

    public long? ProxyTokens => Trial.Scores.FirstOrDefault()?.Tokens;

    public string Label => Baseline ?? $"searched #{DisplayNumber}";

    public string CalibrationText => CalibrationSource is null
        ? ""
        : $"{CalibrationSource} {CalibrationSamples}x{CalibrationSeqLen} seed {CalibrationSeed}";

    public string MixText => Mix.Count == 0
        ? ""
        : string.Join(" + ", Mix.Where(kv => kv.Value > 0).Select(kv => $"{kv.Value.ToString("0.00", Inv)} {kv.Key}"));

    /// <summary>Per layer "heads/kv-heads/channels" of the pruned model, layers separated by spaces.</summary>
    public string WidthsText => Plan is null
        ? ""
        : string.Join(" ", Plan.Layers.Select(l => $"{l.Heads}/{l.KvHeads}/{l.Channels}"));

    public static TrialView From(FrozenTrial t, IReadOnlyList<string> mixComponents)
    {
        var p = t.Params;
        string? Text(string name) => p.TryGetValue(name, out var v)
            ? v.Kind == ParamValueKind.Text ? v.AsText : v.Kind == ParamValueKind.Vector ? null : v.AsReal.ToString("R", Inv)
            : null;
        int? Int(string name) => p.TryGetValue(name, out var v) && v.Kind is ParamValueKind.Integer or ParamValueKind.Real
            ? (int)Math.Round(v.AsReal)
            : null;
        var mix = new List<KeyValuePair<string, double>>();
        if (p.TryGetValue("metric_mix", out var m) && m.Kind == ParamValueKind.Vector)
        {
            var w = m.AsVector;
            for (int i = 0; i < w.Count; i++)
                mix.Add(KeyValuePair.Create(i < mixComponents.Count ? mixComponents[i] : $"m{i}", w[i]));
        }
        return new TrialView(t,
            AttrJson.TryDeserialize<PlanSummary>(t.UserAttr(TrialAttrs.Plan)),
            AttrJson.TryDeserialize<FinalScores>(t.UserAttr(TrialAttrs.Final)),
            AttrJson.TryDeserialize<TrialTimings>(t.UserAttr(TrialAttrs.Timings)),
            Text("calibration_source"), Int("calibration_samples"), Int("calibration_seqlen"), Int("calibration_seed"),
            mix, Text("structure"), Text("compensation"));
    }
}

using Search.Optimization.Trials;
using Search.Records;

namespace Search.Reporting;

/// <summary>
/// One trial flattened for tables and plots: its decoded attributes and the config fields a
/// reader compares (calibration, metric mixture, structure). Missing attributes stay null.
/// </summary>
public sealed record TrialView(FrozenTrial Trial, PlanSummary? Plan, FinalScores? Final, TrialTimings? Timings, TrialParams Params)
{
    public int Number => Trial.Number;

    /// <summary>1-based, as every table prints trial numbers.</summary>
    public int DisplayNumber => Trial.Number + 1;

    public string? Baseline => Trial.UserAttr(UserAttrKeys.Baseline);

    /// <summary>Measured prefill/decode speed against the dense model (<c>search --speed</c>), or null.</summary>
    public TrialSpeed? Speed => AttrJson.TryDeserialize<TrialSpeed>(Trial.UserAttr(TrialAttrs.Speed));

    /// <summary>Zero-shot task accuracies (<c>search --final-tasks</c>), or null.</summary>
    public TaskScores? Tasks => AttrJson.TryDeserialize<TaskScores>(Trial.UserAttr(TrialAttrs.Tasks));

    public bool IsBaseline => Baseline is not null;

    public double? Proxy => Trial.State == TrialState.Complete ? Trial.Value : null;

    public long? ProxyTokens => Trial.Scores.FirstOrDefault()?.Tokens;

    public string Label => Baseline ?? $"searched #{DisplayNumber}";

    public string? CalibrationSource => Params.CalibrationSource;
    public int? CalibrationSamples => Params.CalibrationSamples;
    public int? CalibrationSeqLen => Params.CalibrationSeqLen;
    public int? CalibrationSeed => Params.CalibrationSeed;
    public IReadOnlyList<KeyValuePair<string, double>> Mix => Params.Mix;
    public string? Structure => Params.Structure;
    public string? Compensation => Params.Compensation;

    public string CalibrationText => Params.CalibrationText;

    public string MixText => Params.MixText;

    /// <summary>Per layer "heads/kv-heads/channels" of the pruned model, layers separated by spaces.</summary>
    public string WidthsText => Plan is null
        ? ""
        : string.Join(" ", Plan.Layers.Select(l => $"{l.Heads}/{l.KvHeads}/{l.Channels}"));

    /// <summary>The trial's stored attributes and params, decoded (a hand-written store with unreadable params shows them as missing).</summary>
    public static TrialView From(FrozenTrial t, IReadOnlyList<string> mixComponents)
    {
        TrialParams p;
        try { p = TrialParams.Decode(t.Params, mixComponents); }
        catch (RecordInputException) { p = new TrialParams(null, null, null, null, [], null, null, null, null); }
        return new TrialView(t,
            AttrJson.TryDeserialize<PlanSummary>(t.UserAttr(TrialAttrs.Plan)),
            AttrJson.TryDeserialize<FinalScores>(t.UserAttr(TrialAttrs.Final)),
            AttrJson.TryDeserialize<TrialTimings>(t.UserAttr(TrialAttrs.Timings)),
            p);
    }
}

using Search.Optimization.Trials;

namespace Search.Records;

/// <summary>
/// Where a searched gain comes from: the best searched config re-run with one part at a time set back
/// to the best hand-set baseline's (everything else kept), scored on both splits like the finalists.
/// A part whose reverting costs a lot of ppl is a part the search's gain rests on.
/// </summary>
public sealed record GainDecomposition(string Baseline, int BaselineTrial, IReadOnlyList<GainPart> Parts)
{
    /// <summary>The parts and the params each is made of (search-spaces/README.md names).</summary>
    public static readonly IReadOnlyList<(string Part, string[] Params)> PartParams =
    [
        ("compensation", ["compensation"]),
        ("allocation", ["structure", "attention_ratios", "mlp_ratios", "attention_unit"]),
        ("calibration", ["calibration_source", "calibration_samples", "calibration_seqlen", "calibration_seed"]),
        ("metric_mix", [TrialParams.MixName]),
    ];

    /// <summary>
    /// The searched params with <paramref name="part"/>'s params taken from the baseline (absent there: removed);
    /// null when the two already agree on that part.
    /// </summary>
    public static Dictionary<string, ParamValue>? Reverted(IReadOnlyDictionary<string, ParamValue> searched,
        IReadOnlyDictionary<string, ParamValue> baseline, string part)
    {
        var names = PartParams.First(p => p.Part == part).Params;
        if (names.All(n => searched.TryGetValue(n, out var a) == baseline.TryGetValue(n, out var b) && (a is null || a.Equals(b)))) return null;
        var p = new Dictionary<string, ParamValue>(searched, StringComparer.Ordinal);
        foreach (var n in names)
        {
            if (baseline.TryGetValue(n, out var v)) p[n] = v;
            else p.Remove(n);
        }
        return p;
    }
}

/// <summary>One part set back: null scores when the searched config already had the baseline's (nothing to re-run).</summary>
public sealed record GainPart(string Part, string? SearchedValue, string? BaselineValue, double? SearchPpl, double? TestPpl);

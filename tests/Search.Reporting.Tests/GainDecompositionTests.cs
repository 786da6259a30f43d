using Search.Optimization.Trials;
using Search.Records;

namespace Search.Reporting.Tests;

/// <summary>Setting one part of a searched config back to the baseline's changes exactly that part's params.</summary>
public sealed class GainDecompositionTests
{
    private static Dictionary<string, ParamValue> Searched() => new()
    {
        ["calibration_source"] = ParamValue.Of("c4"), ["calibration_samples"] = ParamValue.Of(32L),
        ["calibration_seqlen"] = ParamValue.Of(128L), ["calibration_seed"] = ParamValue.Of(3L),
        ["metric_mix"] = ParamValue.Of(new[] { 0.5, 0.5, 0, 0, 0 }), ["structure"] = ParamValue.Of("per-layer"),
        ["attention_ratios"] = ParamValue.Of(new[] { 0.25, 0.0 }), ["mlp_ratios"] = ParamValue.Of(new[] { 0.1, 0.3 }),
        ["compensation"] = ParamValue.Of("ls"),
    };

    private static Dictionary<string, ParamValue> Baseline() => new(Searched())
    {
        ["calibration_source"] = ParamValue.Of("tinystories"), ["calibration_samples"] = ParamValue.Of(128L),
        ["calibration_seed"] = ParamValue.Of(0L), ["metric_mix"] = ParamValue.Of(new[] { 1.0, 0, 0, 0, 0 }),
        ["structure"] = ParamValue.Of("al-am-exact"),
    };

    [Fact]
    public void Each_part_reverts_only_its_own_params_and_an_agreeing_part_is_not_rerun()
    {
        var searched = Searched();
        var baseline = Baseline();
        Assert.Null(GainDecomposition.Reverted(searched, baseline, "compensation"));
        var calibration = GainDecomposition.Reverted(searched, baseline, "calibration")!;
        Assert.Equal("tinystories", calibration["calibration_source"].AsText);
        Assert.Equal(128, calibration["calibration_samples"].AsReal);
        Assert.Equal(searched["metric_mix"], calibration["metric_mix"]);
        Assert.Equal(searched["structure"], calibration["structure"]);
        var allocation = GainDecomposition.Reverted(searched, baseline, "allocation")!;
        Assert.Equal("al-am-exact", allocation["structure"].AsText);
        Assert.Equal(searched["calibration_source"], allocation["calibration_source"]);
        var mix = GainDecomposition.Reverted(searched, baseline, "metric_mix")!;
        Assert.Equal(baseline["metric_mix"], mix["metric_mix"]);
        Assert.Equal(searched.Keys.Order(), mix.Keys.Order());
    }

    [Fact]
    public void A_param_the_baseline_lacks_is_removed_when_its_part_is_reverted()
    {
        var searched = Searched();
        searched["attention_unit"] = ParamValue.Of("query-head");
        var allocation = GainDecomposition.Reverted(searched, Baseline(), "allocation")!;
        Assert.False(allocation.ContainsKey("attention_unit"));
    }
}

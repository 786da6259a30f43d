using Search.Optimization.Trials;

namespace Search.Records.Tests;

/// <summary>Stored params decoded by name, alike for the objective (writer) and the reports (reader).</summary>
public sealed class TrialParamsTests
{
    private static readonly string[] Components = ["wifv", "wanda"];

    [Fact]
    public void Params_decode_by_name_with_the_mixture_in_the_spaces_component_order()
    {
        var p = TrialParams.Decode(new Dictionary<string, ParamValue>
        {
            ["calibration_source"] = ParamValue.Of("wikitext2"),
            ["calibration_samples"] = ParamValue.Of(63.6),  // a float-valued int param rounds
            ["calibration_seqlen"] = ParamValue.Of(128L),
            ["calibration_seed"] = ParamValue.Of(3L),
            [TrialParams.MixName] = ParamValue.Of([0.75, 0.25]),
            ["structure"] = ParamValue.Of("Per-Layer"),
            ["compensation"] = ParamValue.Of("LS"),
            ["attention_ratios"] = ParamValue.Of([0.0, 0.5]),
        }, Components);

        Assert.Equal(("wikitext2", 64, 128, 3), (p.CalibrationSource, p.CalibrationSamples, p.CalibrationSeqLen, p.CalibrationSeed));
        Assert.Equal(["wifv", "wanda"], p.Mix.Select(kv => kv.Key));
        Assert.Equal(("per-layer", "ls"), (p.Structure, p.Compensation));
        Assert.Equal([0.0, 0.5], p.AttentionRatios!);
        Assert.Null(p.MlpRatios);
        Assert.Equal("wikitext2 64x128 seed 3", p.CalibrationText);
        Assert.Equal("0.75 wifv + 0.25 wanda", p.MixText);
    }

    [Fact]
    public void Zero_weights_are_left_out_of_the_active_mixture()
    {
        var p = TrialParams.Decode(new Dictionary<string, ParamValue> { [TrialParams.MixName] = ParamValue.Of([0.0, 1.0]) }, Components);
        Assert.Equal("1.00 wanda", p.MixText);
        Assert.Single(p.ActiveMix);
    }

    [Fact]
    public void A_mixture_with_another_weight_count_than_the_components_is_one_line_naming_both()
    {
        var e = Assert.Throws<RecordInputException>(() =>
            TrialParams.Decode(new Dictionary<string, ParamValue> { [TrialParams.MixName] = ParamValue.Of([0.5, 0.25, 0.25]) }, Components));
        Assert.Equal("metric_mix has 3 weights for 2 components (wifv, wanda)", e.Message);
    }

    [Fact]
    public void Missing_params_are_null_and_a_required_one_names_itself()
    {
        var p = TrialParams.Decode(new Dictionary<string, ParamValue>(), Components);
        Assert.Null(p.CalibrationSource);
        Assert.Null(p.CalibrationSamples);
        Assert.Empty(p.Mix);
        Assert.Equal("", p.CalibrationText);
        var e = Assert.Throws<RecordInputException>(() => TrialParams.Required(p.CalibrationSamples, "calibration_samples"));
        Assert.Contains("'calibration_samples'", e.Message);
        Assert.Equal(8, TrialParams.Required((int?)8, "calibration_samples"));
    }

    [Fact]
    public void The_mixture_components_come_from_the_stored_space_or_the_default_order_when_it_is_unreadable()
    {
        const string space = """
            { "name": "s", "params": [ { "name": "metric_mix", "kind": "simplex", "components": ["magnitude", "wifv"] } ] }
            """;
        Assert.Equal(["magnitude", "wifv"], TrialParams.MixComponentsOf(space));
        Assert.Equal(TrialParams.DefaultMixComponents, TrialParams.MixComponentsOf("{ not json"));
    }
}

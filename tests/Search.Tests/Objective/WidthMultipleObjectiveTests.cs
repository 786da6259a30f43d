using Search.Objective;
using Search.Pruning.Allocation;
using Search.Records;

namespace Search.Tests.Objective;

/// <summary>
/// search --width-multiple: stored in the study's objective only when it is not 1 (so the objective
/// JSON of every existing study is unchanged and they resume), and applied to the configs that meet
/// the exact budget — searched per-layer ratios and the "-exact" twins —, not to FLAP's published rules.
/// </summary>
public sealed class WidthMultipleObjectiveTests
{
    private static TrialParams Params(string structure) => new("synthetic", 16, 64, 0, [new("wifv", 1.0)], structure, "bias",
        structure == "per-layer" ? [0.2, 0.2] : null, structure == "per-layer" ? [0.3, 0.3] : null);

    [Fact]
    public void Given_no_width_multiple_When_the_objective_is_stored_Then_its_JSON_has_no_new_key_and_reads_back_as_1()
    {
        var settings = new ObjectiveSettings(0.2, "tinystories", 128, "corpus", 32, 3, 128, null, "ppl");
        string json = AttrJson.Serialize(settings);
        Assert.Equal("""{"ratio":0.2,"eval_dataset":"tinystories","seq_len":128,"bos":"corpus","proxy_windows":32,"finalists":3,"pool_size":128,"final_tokens":null,"fitness":"ppl"}""", json);
        Assert.Equal(1, AttrJson.Deserialize<ObjectiveSettings>(json)!.MlpWidthMultiple);

        string with256 = AttrJson.Serialize(settings with { WidthMultiple = 256 });
        Assert.EndsWith(""","width_multiple":256}""", with256);
        Assert.Equal(256, AttrJson.Deserialize<ObjectiveSettings>(with256)!.MlpWidthMultiple);
    }

    [Theory]
    [InlineData("per-layer", 32)]
    [InlineData("al-am-exact", 32)]
    [InlineData("ul-um-exact", 32)]
    [InlineData("al-am", 1)]
    [InlineData("ul-um", 1)]
    public void Given_a_study_width_multiple_of_32_When_a_trial_is_decoded_Then_only_exact_budget_configs_get_it(string structure, int expected)
    {
        var config = TrialConfig.From(Params(structure), 0.2, widthMultiple: 32);
        Assert.Equal(expected, config.Recipe.Allocation.WidthMultiple);
        Assert.Equal(1, TrialConfig.From(Params(structure), 0.2).Recipe.Allocation.WidthMultiple);
    }
}

using Search.Optimization.Spaces;
using Search.Optimization.Trials;

namespace Search.Optimization.Tests.Spaces;

public sealed class SearchSpaceParserTests
{
    private static string Space(string dimension) => $$"""{ "params": [ { "name": "ok", "kind": "int", "low": 0, "high": 3 }, {{dimension}} ] }""";

    public static TheoryData<string, string, string> MalformedSpaces => new()
    {
        { Space("""{ "name": "x", "kind": "int", "low": 9, "high": 3 }"""), "$.params[1].low", "<= high" },
        { Space("""{ "name": "x", "kind": "int", "low": 0, "high": 3, "log": true }"""), "$.params[1].low", ">= 1" },
        { Space("""{ "name": "x", "kind": "float", "low": 0, "high": 1, "log": true }"""), "$.params[1].low", "> 0" },
        { Space("""{ "name": "x", "kind": "float", "low": 0, "hgih": 1 }"""), "$.params[1].hgih", "unknown field" },
        { Space("""{ "name": "x", "kind": "float", "low": "zero", "high": 1 }"""), "$.params[1].low", "number" },
        { Space("""{ "name": "x", "kind": "gaussian" }"""), "$.params[1].kind", "unknown kind 'gaussian'" },
        { Space("""{ "kind": "int", "low": 0, "high": 1 }"""), "$.params[1].name", "required" },
        { Space("""{ "name": "ok", "kind": "int", "low": 0, "high": 1 }"""), "$.params[1].name", "duplicate" },
        { Space("""{ "name": "x", "kind": "categorical", "choices": [] }"""), "$.params[1].choices", "non-empty" },
        { Space("""{ "name": "x", "kind": "categorical", "choices": ["a", "a"] }"""), "$.params[1].choices[1]", "duplicate" },
        { Space("""{ "name": "x", "kind": "simplex", "components": ["wifv"] }"""), "$.params[1].components", "at least two" },
        { Space("""{ "name": "x", "kind": "layer_ratios", "module": "mlp", "levels": { "min": 0, "max": 0.8, "step": 0.1 }, "target": 0.25 }"""), "$.params[1].target", "multiple of step" },
        { Space("""{ "name": "x", "kind": "layer_ratios", "module": "mlp", "levels": { "min": 0, "max": 0.8, "step": 0.1 }, "target": 0.9 }"""), "$.params[1].target", "[min, max]" },
        { Space("""{ "name": "x", "kind": "layer_ratios", "module": "mlp", "levels": { "min": 0, "max": 0.8 }, "target": 0.2 }"""), "$.params[1].levels.step", "required" },
        { """{ "params": [] }""", "$.params", "non-empty" },
        { """{ "parameters": [] }""", "$.parameters", "unknown field" },
        { """{ "params": [ { "name": "x", "kind": "int", "low": 0, "high": 3 } ], "baselines": [ { "tag": "b", "params": { "y": 1 } } ] }""", "$.baselines[0].params.y", "no dimension named 'y'" },
        { """{ "params": [ { "name": "x", "kind": "int", "low": 0, "high": 3 } ], "baselines": [ { "tag": "b", "params": { } } ] }""", "$.baselines[0].params.x", "missing" },
        { """{ "params": [ { "name": "x", "kind": "int", "low": 0, "high": 3 } ], "baselines": [ { "tag": "b", "params": { "x": 1.5 } } ] }""", "$.baselines[0].params.x", "integer" },
        { """{ "params": [ { "name": "m", "kind": "simplex", "components": ["a", "b"] } ], "baselines": [ { "tag": "b", "params": { "m": [0.7, 0.7] } } ] }""", "$.baselines[0].params.m", "summing to 1" },
    };

    [Theory]
    [MemberData(nameof(MalformedSpaces))]
    public void Given_a_malformed_space_When_loaded_Then_the_error_names_the_json_path(string json, string path, string reason)
    {
        var error = Assert.Throws<OptimizationInputException>(() => SearchSpace.Parse(json, "bad.json"));
        Assert.StartsWith($"bad.json: {path}: ", error.Message);
        Assert.Contains(reason, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Given_broken_json_syntax_When_loaded_Then_the_error_gives_the_line()
    {
        var error = Assert.Throws<OptimizationInputException>(() => SearchSpace.Parse("{\n \"params\": [\n {,\n ] }", "bad.json"));
        Assert.Contains("line 3", error.Message);
    }

    [Theory]
    [InlineData("adapruner.json", false, 4)]
    [InlineData("darwin.json", true, 3)]
    [InlineData("joint.json", true, 4)]
    public void Given_a_shipped_space_file_When_loaded_and_bound_Then_its_baselines_materialize_inside_the_budget(string file, bool hasLayerRatios, int baselines)
    {
        var space = SearchSpace.Load(ShippedSpacePath(file)).BindLayerCount(32);
        Assert.Equal(hasLayerRatios, space.HasLayerRatios);
        var drafts = space.BaselineDrafts();
        Assert.Equal(baselines, drafts.Count);
        foreach (var draft in drafts)
        {
            Assert.Equal(space.Dimensions.Select(d => d.Name), draft.Params.Keys);
            foreach (var ratios in space.Dimensions.OfType<LayerRatiosDimension>())
                Assert.True(ratios.MeetsBudget(ratios.ToLevels(draft.Params[ratios.Name])!));
        }
        var sample = space.Sample(new Random(1));
        Assert.NotNull(space.TryEncode(sample));
    }

    [Fact]
    public void Given_the_adapruner_space_Then_it_holds_the_calibration_and_mixture_dimensions_and_fixed_structure()
    {
        var space = SearchSpace.Load(ShippedSpacePath("adapruner.json"));
        Assert.Equal(["wikitext2", "c4", "tinystories", "ptb"], ((CategoricalDimension)space["calibration_source"]).Choices.Select(c => c.AsText));
        var samples = (IntDimension)space["calibration_samples"];
        Assert.Equal((16L, 256L, true), (samples.Low, samples.High, samples.Log));
        Assert.Equal(["wifv", "wifn", "ifv", "wanda", "magnitude"], ((SimplexDimension)space["metric_mix"]).Components);
        Assert.Equal(ParamValue.Of("al-am"), ((FixedDimension)space["structure"]).Value);
    }

    [Fact]
    public void Given_an_unbound_layer_ratios_space_When_sampled_Then_it_asks_for_the_layer_count()
    {
        var space = SearchSpace.Load(ShippedSpacePath("darwin.json"));
        var error = Assert.Throws<InvalidOperationException>(() => space.Sample(new Random(0)));
        Assert.Contains("BindLayerCount", error.Message);
    }

    [Fact]
    public void Given_layer_ratios_When_sampled_and_perturbed_many_times_Then_every_vector_is_on_the_grid_and_meets_the_budget()
    {
        var dimension = (LayerRatiosDimension)TestData.MixedSpace(layers: 12)["attention_ratios"];
        var rng = new Random(3);
        for (var i = 0; i < 200; i++)
        {
            var value = dimension.Perturb(dimension.Sample(rng), rng, 0.3);
            var levels = dimension.ToLevels(value);
            Assert.NotNull(levels);
            Assert.True(dimension.MeetsBudget(levels!));
            Assert.Equal(0.3, value.AsVector.Average(), 9);
        }
    }

    [Fact]
    public void Given_a_simplex_When_sampled_encoded_and_decoded_Then_weights_are_non_negative_sum_to_one_and_round_trip()
    {
        var simplex = (SimplexDimension)TestData.MixedSpace()["mix"];
        var rng = new Random(5);
        for (var i = 0; i < 100; i++)
        {
            var value = simplex.Sample(rng);
            var sticks = new double[simplex.EncodedWidth];
            Assert.True(simplex.TryEncode(value, sticks));
            var back = simplex.Decode(sticks).AsVector;
            Assert.All(back, w => Assert.True(w >= 0));
            Assert.Equal(1.0, back.Sum(), 9);
            for (var k = 0; k < back.Count; k++) Assert.Equal(value.AsVector[k], back[k], 9);
        }
    }

    internal static string ShippedSpacePath(string file)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "search-spaces", file);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"search-spaces/{file} not found above {AppContext.BaseDirectory}");
    }
}

using System.Text.Json.Nodes;
using Search.Model;
using Search.Model.Checkpoints;

namespace Search.Tests.Model;

/// <summary>A dense-width model that carries FLAP compensation biases is not dense, and its config says so.</summary>
public sealed class ModelConfigDenseTests
{
    private static readonly ModelConfig Dense = RandomTransformer.DenseConfig(hidden: 32, layers: 2, heads: 4, kvHeads: 2, intermediate: 48, vocab: 50);

    [Fact]
    public void Given_dense_widths_without_extra_biases_Then_the_config_is_dense_and_writes_no_per_layer_fields()
    {
        Assert.True(Dense.IsDense);
        Assert.Null(ModelConfigJson.ToJson(Dense, "float32")[ModelConfigJson.PerLayerField]);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Given_dense_widths_with_a_compensation_bias_Then_it_is_not_dense_and_the_bias_survives_a_config_round_trip(bool oBias, bool downBias)
    {
        var c = Dense with { Layers = [Dense.Layers[0] with { OProjBias = oBias, DownProjBias = downBias }, Dense.Layers[1]] };
        Assert.False(c.IsDense);
        var json = ModelConfigJson.ToJson(c, "float32");
        Assert.IsType<JsonArray>(json[ModelConfigJson.PerLayerField]);
        var back = ModelConfigJson.Parse(json, "config.json");
        Assert.Equal(c.Layers, back.Layers);
    }

    [Fact]
    public void Given_an_architecture_with_attention_and_mlp_bias_Then_those_biases_alone_keep_it_dense()
    {
        var c = Dense with
        {
            QkvBias = true, GateUpBias = true,
            Layers = Dense.Layers.Select(l => l with { OProjBias = true, DownProjBias = true }).ToList(),
        };
        Assert.True(c.IsDense);
    }
}

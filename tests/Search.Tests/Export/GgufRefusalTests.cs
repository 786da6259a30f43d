using Search.Model;
using Search.Model.Export;
using Search.Tests.Data;
using Search.Tests.Pruning;
using static TorchSharp.torch;

namespace Search.Tests.Export;

/// <summary>What llama.cpp cannot load is refused with one line, and no file is left behind.</summary>
[Collection(PruningCollection.Name)]
public sealed class GgufRefusalTests
{
    [Fact]
    public void Given_only_a_tokenizer_json_When_exporting_Then_it_is_refused_naming_the_missing_SentencePiece_model()
    {
        using var tmp = new TempFolder();
        tmp.File("tok/tokenizer.json", "{}");
        var e = Refused(EmbeddedModel.Model, Path.Combine(tmp.Path, "tok"), tmp);
        Assert.Contains("tokenizer.model", e.Message);
        Assert.Contains("only tokenizer.json", e.Message);
        Assert.Contains("no tokenizer.model", Refused(EmbeddedModel.Model, tmp.Path, tmp).Message);
    }

    [Fact]
    public void Given_a_vocabulary_larger_than_the_model_s_When_exporting_Then_it_is_refused()
    {
        var c = EmbeddedModel.Model.Config;
        using var small = RandomTransformer.Create(c with { VocabSize = 100 }, seed: 1);
        using var tmp = new TempFolder();
        Assert.Contains("vocab_size is 100", Refused(small, EmbeddedModel.Dir, tmp).Message);
    }

    [Fact]
    public void Given_q_k_v_biases_in_a_pruned_model_When_exporting_Then_it_is_refused_because_deci_sizes_attn_q_bias_as_the_hidden_size()
    {
        using var dense = RandomModels.GqaWithBiases();
        using var pruned = PrunedModels.RandomWithRemovedBlocks(dense);
        using var tmp = new TempFolder();
        Assert.Contains("q/k/v biases", Refused(pruned, EmbeddedModel.Dir, tmp).Message);
    }

    [Fact]
    public void Given_every_block_removed_When_exporting_Then_it_is_refused()
    {
        var c = EmbeddedModel.Model.Config;
        using var empty = RandomTransformer.Create(c with { Layers = c.Layers.Select(_ => new LayerWidths(0, 0, 0, false, false)).ToList() }, seed: 2);
        using var tmp = new TempFolder();
        Assert.Contains("every attention and MLP block", Refused(empty, EmbeddedModel.Dir, tmp).Message);
    }

    [Fact]
    public void Given_a_weight_beyond_float16_range_When_exporting_f16_Then_it_is_refused_and_f32_still_works()
    {
        using var model = RandomTransformer.Create(EmbeddedModel.Model.Config, seed: 3);
        using (no_grad()) model.Layers[2].UpProj![0, 0] = tensor(1e5f);
        using var tmp = new TempFolder();
        var e = Refused(model, EmbeddedModel.Dir, tmp, GgufFileType.F16);
        Assert.Contains("blk.2.ffn_up.weight", e.Message);
        Assert.Contains("65504", e.Message);
        GgufWriter.Write(model, EmbeddedModel.Dir, Path.Combine(tmp.Path, "ok.gguf"), GgufFileType.F32);
        Assert.True(new FileInfo(Path.Combine(tmp.Path, "ok.gguf")).Length > 0);
    }

    private static UserInputException Refused(Transformer model, string tokenizerDir, TempFolder tmp, GgufFileType type = GgufFileType.F32)
    {
        string path = Path.Combine(tmp.Path, "refused.gguf");
        var e = Assert.Throws<UserInputException>(() => GgufWriter.Write(model, tokenizerDir, path, type));
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(File.Exists(path));
        Assert.False(File.Exists(path + ".tmp"));
        return e;
    }
}

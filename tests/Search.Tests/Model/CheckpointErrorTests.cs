using Search.Model;
using Search.Model.Checkpoints;

namespace Search.Tests.Model;

/// <summary>Each damaged checkpoint gives a one-line error that names the file or field.</summary>
public sealed class CheckpointErrorTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("prunesearch-bad-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private void SaveSmall()
    {
        var config = RandomTransformer.DenseConfig(hidden: 16, layers: 2, heads: 2, kvHeads: 1, intermediate: 24, vocab: 31);
        using var model = RandomTransformer.Create(config, seed: 1);
        Checkpoint.Save(model, dir);
    }

    private UserInputException LoadFails()
    {
        var e = Assert.Throws<UserInputException>(() => Checkpoint.Load(dir).Dispose());
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    [Fact]
    public void Missing_config_names_the_file()
    {
        SaveSmall();
        File.Delete(Path.Combine(dir, "config.json"));
        Assert.Contains("config.json", LoadFails().Message);
    }

    [Fact]
    public void Truncated_safetensors_names_the_file()
    {
        SaveSmall();
        string f = Path.Combine(dir, "model.safetensors");
        var bytes = File.ReadAllBytes(f);
        File.WriteAllBytes(f, bytes[..(bytes.Length - 100)]);
        var m = LoadFails().Message;
        Assert.Contains("model.safetensors", m);
        Assert.Contains("truncated", m);
    }

    [Fact]
    public void Garbage_header_is_a_corrupt_file_error()
    {
        SaveSmall();
        File.WriteAllBytes(Path.Combine(dir, "model.safetensors"), [16, 0, 0, 0, 0, 0, 0, 0, .. "{not json at al}"u8.ToArray()]);
        Assert.Contains("corrupt", LoadFails().Message);
    }

    [Fact]
    public void Tensor_of_the_wrong_shape_names_tensor_and_shapes()
    {
        SaveSmall();
        string cfg = Path.Combine(dir, "config.json");
        File.WriteAllText(cfg, File.ReadAllText(cfg).Replace("\"intermediate_size\": 24", "\"intermediate_size\": 25"));
        var m = LoadFails().Message;
        Assert.Contains("mlp.gate_proj.weight", m);
        Assert.Contains("[24, 16]", m);
        Assert.Contains("[25, 16]", m);
    }

    [Fact]
    public void Unknown_model_type_is_named()
    {
        SaveSmall();
        string cfg = Path.Combine(dir, "config.json");
        File.WriteAllText(cfg, File.ReadAllText(cfg).Replace("\"model_type\": \"llama\"", "\"model_type\": \"gpt2\""));
        var m = LoadFails().Message;
        Assert.Contains("unknown model_type 'gpt2'", m);
    }

    [Fact]
    public void Missing_tensor_is_named()
    {
        var config = RandomTransformer.DenseConfig(hidden: 16, layers: 1, heads: 2, kvHeads: 1, intermediate: 24, vocab: 31);
        using var model = RandomTransformer.Create(config, seed: 1);
        Checkpoint.Save(model, dir);
        string cfg = Path.Combine(dir, "config.json");
        File.WriteAllText(cfg, File.ReadAllText(cfg).Replace("\"num_hidden_layers\": 1", "\"num_hidden_layers\": 2"));
        Assert.Contains("model.layers.1.input_layernorm.weight", LoadFails().Message);
    }

    [Fact]
    public void Missing_folder_is_named() =>
        Assert.Contains("model folder not found",
            Assert.Throws<UserInputException>(() => Checkpoint.Load(Path.Combine(dir, "nope"))).Message);
}

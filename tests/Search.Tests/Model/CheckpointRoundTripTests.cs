using Search.Model;
using Search.Model.Checkpoints;
using static TorchSharp.torch;

namespace Search.Tests.Model;

public sealed class CheckpointRoundTripTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("prunesearch-ckpt-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static void AssertBitIdentical(Transformer a, Transformer b)
    {
        var ta = a.NamedTensors().ToList();
        var tb = b.NamedTensors().ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal(ta.Count, tb.Count);
        foreach (var (name, t) in ta)
        {
            Assert.True(tb.ContainsKey(name), $"missing {name} after reload");
            Assert.Equal(t.shape, tb[name].shape);
            Assert.Equal(t.dtype, tb[name].dtype);
            Assert.True(t.bytes.SequenceEqual(tb[name].bytes), $"{name} differs after reload");
        }
    }

    private static double Logits(Transformer m, out Tensor logits)
    {
        using var _ = no_grad();
        using var ids = arange(0, 48, ScalarType.Int64).remainder(m.Config.VocabSize).reshape(2, 24);
        logits = m.Forward(ids);
        return logits.abs().sum().item<float>();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Given_a_non_uniform_model_with_biases_When_saved_and_reloaded_Then_tensors_are_bit_identical(bool sharded)
    {
        // GQA layers of different widths, o/down compensation biases, untied head, a layer without attention.
        var dense = RandomTransformer.DenseConfig(hidden: 32, layers: 3, heads: 4, kvHeads: 2, intermediate: 40, vocab: 97);
        var config = dense with
        {
            Layers =
            [
                new LayerWidths(4, 2, 40, false, false),
                new LayerWidths(2, 1, 17, true, true),
                new LayerWidths(0, 0, 5, true, false),
            ],
        };
        using var model = RandomTransformer.Create(config, seed: 7);
        Checkpoint.Save(model, dir, maxShardBytes: sharded ? 8_000 : 4L << 30);
        Assert.Equal(sharded, File.Exists(Path.Combine(dir, Checkpoint.IndexFile)));
        using var back = Checkpoint.Load(dir);
        Assert.Equal(config.Layers, back.Config.Layers);
        AssertBitIdentical(model, back);
        Logits(model, out var la);
        Logits(back, out var lb);
        using (la) using (lb) Assert.True(la.bytes.SequenceEqual(lb.bytes));
    }

    [SharedTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void Given_stories260K_When_saved_and_reloaded_Then_tensors_and_logits_are_identical(bool sharded)
    {
        using var model = Checkpoint.Load(SharedAssets.Stories260K);
        Checkpoint.Save(model, dir, tokenizerSourceDir: SharedAssets.Stories260K, maxShardBytes: sharded ? 300_000 : 4L << 30);
        Assert.True(File.Exists(Path.Combine(dir, "tokenizer.model")));
        using var back = Checkpoint.Load(dir);
        AssertBitIdentical(model, back);
        Logits(model, out var la);
        Logits(back, out var lb);
        using (la) using (lb) Assert.True(la.bytes.SequenceEqual(lb.bytes));
    }

    [Theory]
    [InlineData("bfloat16")]
    [InlineData("float16")]
    public void Given_a_half_precision_checkpoint_When_loaded_as_float32_Then_values_are_exact_upcasts(string stored)
    {
        var config = RandomTransformer.DenseConfig(hidden: 16, layers: 1, heads: 2, kvHeads: 2, intermediate: 24, vocab: 31, tied: true);
        var dtype = Checkpoint.ParseDtype(stored);
        using var model = RandomTransformer.Create(config, seed: 3, dtype: dtype);
        Checkpoint.Save(model, dir);
        using var back = Checkpoint.Load(dir, ScalarType.Float32, residency: WeightResidency.Resident);
        Assert.Equal(ScalarType.Float32, back.DType);
        using var expected = model.Embedding.to_type(ScalarType.Float32);
        Assert.True(expected.bytes.SequenceEqual(back.Embedding.bytes));
    }

    [Theory]
    [InlineData("bfloat16")]
    [InlineData("float32")]
    public void Given_a_checkpoint_When_memory_mapped_Then_it_computes_exactly_like_the_resident_copy_and_reads_nothing_into_memory(string stored)
    {
        var config = RandomTransformer.DenseConfig(hidden: 32, layers: 2, heads: 4, kvHeads: 2, intermediate: 40, vocab: 37, tied: false);
        using var model = RandomTransformer.Create(config, seed: 5, dtype: Checkpoint.ParseDtype(stored));
        Checkpoint.Save(model, dir);
        using var resident = Checkpoint.Load(dir, ScalarType.Float32, residency: WeightResidency.Resident);
        using var mapped = Checkpoint.Load(dir, ScalarType.Float32, residency: WeightResidency.Mapped);
        // Mapped tensors keep the file's dtype (converted one layer at a time when computing).
        Assert.Equal(Checkpoint.ParseDtype(stored), mapped.Layers[0].QProj!.dtype);
        Assert.Equal(ScalarType.Float32, mapped.DType);
        Logits(resident, out var lr);
        Logits(mapped, out var lm);
        using (lr) using (lm) Assert.True(lr.bytes.SequenceEqual(lm.bytes));
    }
}

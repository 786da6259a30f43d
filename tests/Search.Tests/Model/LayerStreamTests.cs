using Search.Data.Evaluation;
using Search.Model;
using Search.Pruning.Allocation;
using Search.Pruning.Metrics;
using Search.Pruning.Statistics;
using Search.Pruning.Surgery;
using Search.Tests.Pruning;
using static TorchSharp.torch;

namespace Search.Tests.Model;

/// <summary>
/// The layer-by-layer engine against the monolithic forward: same logits (float32, &lt; 1e-5
/// relative), for the dense model and for a pruned model built one layer at a time.
/// </summary>
[Collection(PruningCollection.Name)]
public sealed class LayerStreamTests
{
    private const int Windows = 7, SeqLen = 10;

    /// <summary>Logits [count, T, V] of every window, through LayerStream with small batches and groups.</summary>
    private static Tensor StreamedLogits(IDecoderLayers model, long[] ids, int batch, long groupBytes)
    {
        var parts = new List<Tensor>();
        LayerStream.Run(model, ids, Windows, SeqLen, batch, null,
            (_, h) => parts.Add(model.Host.Logits(h).DetachFromDisposeScope()), groupBytes);
        var all = cat(parts, 0);
        foreach (var p in parts) p.Dispose();
        return all;
    }

    private static Tensor MonolithicLogits(Transformer model, long[] ids)
    {
        using var noGrad = no_grad();
        using var t = tensor(ids, [Windows, SeqLen], ScalarType.Int64);
        return model.Forward(t);
    }

    private static void AssertClose(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        double scale = expected.abs().max().item<float>();
        double diff = (expected - actual).abs().max().item<float>();
        Assert.True(diff <= 1e-5 * scale, $"max |Δlogit| {diff:E2} vs max |logit| {scale:F3}");
    }

    [Theory]
    [InlineData(1, 1L)]            // one window per batch, a group per batch (hidden budget tiny)
    [InlineData(3, 1L << 30)]      // several batches in one group
    public void Given_the_dense_model_When_run_layer_by_layer_Then_the_logits_equal_the_monolithic_forward(int batch, long groupBytes)
    {
        using var model = RandomModels.GqaWithBiases();
        var ids = RandomModels.RandomWindows(model.Config.VocabSize, Windows, SeqLen, seed: 11);
        using var expected = MonolithicLogits(model, ids);
        using var actual = StreamedLogits(model, ids, batch, groupBytes);
        AssertClose(expected, actual);
    }

    [Fact]
    public void Given_a_plan_When_the_pruned_model_is_built_layer_by_layer_Then_it_computes_like_the_whole_pruned_model()
    {
        using var model = RandomModels.GqaWithBiases();
        var ids = RandomModels.RandomWindows(model.Config.VocabSize, Windows, SeqLen, seed: 12);
        var stats = CalibrationStatistics.Collect(model, ids, Windows, SeqLen, batchSize: 4).AggregateAll();
        var scores = MetricMixture.Single(ImportanceMetric.Wifv).Score(model, stats);
        // Per-layer ratios that leave one layer without attention and one without MLP.
        var plan = Allocator.AllocateLayerRatios(model, scores, new LayerRatios([1.0, 0.5, 0.25], [0.3, 1.0, 0.5]), allowEmptyBlocks: true);
        using var whole = Surgery.Apply(model, plan, stats, Compensation.FlapBias);
        var layered = new PrunedLayers(model, plan, stats, Compensation.FlapBias);
        Assert.Equal(whole.Config.Layers, layered.Config.Layers);
        Assert.Equal(whole.ParameterCount(), layered.Config.ParameterCount());
        using var expected = MonolithicLogits(whole, ids);
        using var actual = StreamedLogits(layered, ids, batch: 2, groupBytes: 1L << 30);
        AssertClose(expected, actual);
        var a = PerplexityEvaluator.NllSum(whole, ids, Windows, SeqLen);
        var b = PerplexityEvaluator.NllSum(layered, ids, Windows, SeqLen);
        Assert.Equal(a.Tokens, b.Tokens);
        Assert.True(Math.Abs(a.Perplexity - b.Perplexity) <= 1e-6 * a.Perplexity, $"{a.Perplexity} vs {b.Perplexity}");
    }
}

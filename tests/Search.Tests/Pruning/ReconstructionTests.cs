using Search.Data.Evaluation;
using Search.Model;
using Search.Pruning.Allocation;
using Search.Pruning.Metrics;
using Search.Pruning.Reconstruction;
using Search.Pruning.Statistics;
using Search.Pruning.Surgery;
using static TorchSharp.torch;

namespace Search.Tests.Pruning;

/// <summary>Least-squares reconstruction: the closed-form case, and that it beats FLAP's bias on the objective it minimises.</summary>
[Collection(PruningCollection.Name)]
public sealed class ReconstructionTests
{
    [Fact]
    public void Given_pruned_columns_that_are_combinations_of_kept_ones_When_refitting_Then_the_output_is_reproduced_exactly()
    {
        // x = [k kept channels, 3 channels that are fixed combinations of them]; y = W x + c.
        const int n = 400, kept = 5, extra = 3, d = 4;
        var gen = new TorchSharp.torch.Generator(7);
        var xKept = randn([n, kept], ScalarType.Float64, generator: gen);
        var mix = randn([kept, extra], ScalarType.Float64, generator: gen);
        var x = cat([xKept, xKept.mm(mix)], 1);                                  // [n, k+3]
        var w = randn([d, kept + extra], ScalarType.Float64, generator: gen);
        var c = randn([d], ScalarType.Float64, generator: gen);
        var y = x.mm(w.t()) + c;                                                 // [n, d]
        using var acc = new RidgeAccumulator(kept, d, CPU);
        acc.Add(xKept, y);
        var (wFit, bFit) = acc.Solve(damping: 1e-12, ScalarType.Float64);
        var residual = (xKept.mm(wFit!.t()) + bFit - y).abs().max().item<double>();
        Assert.True(residual < 1e-8, $"max residual {residual:E2}");
        // The refit folds the pruned columns into the kept ones: W' = W_K + W_P·mixᵀ.
        var expected = w.narrow(1, 0, kept) + w.narrow(1, kept, extra).mm(mix.t());
        Assert.True((wFit - expected).abs().max().item<double>() < 1e-8);
        Assert.True((bFit - c).abs().max().item<double>() < 1e-8);
    }

    [Fact]
    public void Given_no_kept_inputs_When_refitting_Then_the_bias_is_the_mean_target()
    {
        var gen = new TorchSharp.torch.Generator(3);
        var y = randn([50, 6], ScalarType.Float64, generator: gen) + 2.0;
        using var acc = new RidgeAccumulator(0, 6, CPU);
        acc.Add(null, y);
        var (weight, bias) = acc.Solve(0.01, ScalarType.Float64);
        Assert.Null(weight);
        Assert.True((bias - y.mean([0])).abs().max().item<double>() < 1e-12);
    }

    /// <summary>Squared error of the first layer's pruned attention projection against the dense one on the calibration windows.</summary>
    private static double FirstLayerOProjError(Transformer dense, IDecoderLayers pruned, long[] ids, int count, int seqLen, int[] keptChannels)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = dense.Embed(tensor(ids, [count, seqLen], ScalarType.Int64));
        using var d = dense.Layer(0);
        using var p = pruned.Layer(0);
        var a = dense.AttentionInputs(d, x)!;                                                   // [B, T, C]
        var target = a.matmul(d.OProj!.t());
        var index = tensor(keptChannels.Select(i => (long)i).ToArray(), ScalarType.Int64);
        var output = Transformer.AttentionOutput(p, a.index_select(2, index), x);
        return (output - target).square().sum().item<float>();
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(0.6)]
    public void Given_a_plan_When_reconstructing_by_least_squares_Then_the_layer_error_is_at_most_FLAPs_bias_and_ppl_stays_finite(double ratio)
    {
        using var model = RandomModels.GqaWithBiases();
        const int count = 24, seqLen = 12;
        var ids = RandomModels.RandomWindows(model.Config.VocabSize, count, seqLen, seed: 21);
        var stats = CalibrationStatistics.Collect(model, ids, count, seqLen, batchSize: 8).AggregateAll();
        var scores = MetricMixture.Single(ImportanceMetric.Wifv).Score(model, stats);
        var plan = Allocator.Allocate(model, scores, PruningStructure.AdaptiveLayersAdaptiveModulesExact, ratio);
        using var bias = new PrunedLayers(model, plan, stats, Compensation.FlapBias);
        using var ls = new PrunedLayers(model, plan, stats, Compensation.LeastSquares);
        ls.Reconstruct(ids, count, seqLen, batchSize: 8);
        var kept = plan.Layers[0].KeptAttentionChannels(model.Config.HeadDim);
        double biasError = FirstLayerOProjError(model, bias, ids, count, seqLen, kept);
        double lsError = FirstLayerOProjError(model, ls, ids, count, seqLen, kept);
        // FLAP's bias is one feasible point of the ridge problem, so the refit can only do better (damping aside).
        Assert.True(lsError <= biasError * 1.001, $"least squares {lsError:E3} vs FLAP bias {biasError:E3}");
        Assert.Equal(bias.Config.Layers.Select(l => (l.NumHeads, l.IntermediateSize)), ls.Config.Layers.Select(l => (l.NumHeads, l.IntermediateSize)));
        Assert.All(ls.Config.Layers, l => Assert.True(l.OProjBias && l.DownProjBias));
        using var seq = new PrunedLayers(model, plan, stats, Compensation.LeastSquaresSequential);
        seq.Reconstruct(ids, count, seqLen, batchSize: 8);
        foreach (var m in new IDecoderLayers[] { ls, seq })
            Assert.True(double.IsFinite(PerplexityEvaluator.NllSum(m, ids, count, seqLen).Perplexity));
    }
}

using Search.Model;
using Search.Pruning.Allocation;
using Search.Pruning.Metrics;
using Search.Pruning.Statistics;
using static TorchSharp.torch;

namespace Search.Tests.Pruning;

/// <summary>
/// FLAP's published rules (CASIA-IVA-Lab/FLAP lib/prune.py) on constructed scores small enough to
/// check by hand. Costs come from the shapes: with d = 4, h = 2 under MHA a KV group costs
/// h·d·(2g+2) = 32 parameters and an MLP channel 3·d = 12.
/// </summary>
[Collection(PruningCollection.Name)]
public sealed class FlapRuleTests
{
    /// <summary>One MHA layer, d = 4, three heads of h = 2, I = 8: 3·32 + 8·12 = 192 prunable parameters.</summary>
    private static Transformer ThreeHeadsEightChannels() =>
        RandomModels.Create(seed: 3, layers: 1, hidden: 4, heads: 3, kvHeads: 3, headDim: 2, intermediate: 8, vocab: 11);

    private static LayerUnitScores[] One(double[] groups, double[] channels) => [new LayerUnitScores(groups, channels)];

    [Fact]
    public void Given_a_tie_at_the_threshold_When_AL_AM_prunes_Then_every_tied_unit_goes_and_the_plan_overshoots()
    {
        using var model = ThreeHeadsEightChannels();
        // Descending: A(32) 9 8 7 6 5 (92) 4 (104) 4 (116) B(148) C(180) 0 (192). Target kept (1−0.375)·192 = 120:
        // the closest cumulative cost is 116, so τ = 4 and the strict test (> τ) removes both 4s.
        var scores = One([10, 3, 2], [9, 8, 7, 6, 5, 4, 4, 0]);
        var plan = Allocator.Allocate(model, scores, PruningStructure.AdaptiveLayersAdaptiveModules, 0.375);
        Assert.Equal([0], plan.Layers[0].KeptKvGroups);
        Assert.Equal([0, 1, 2, 3, 4], plan.Layers[0].KeptChannels);
        Assert.Equal(192 - 92, plan.RemovedParams);
        Assert.Equal("AL-AM", plan.Structure);
    }

    [Fact]
    public void Given_two_cumulative_costs_equally_close_to_the_target_When_AL_AM_prunes_Then_the_first_one_sets_the_threshold()
    {
        using var model = ThreeHeadsEightChannels();
        // Descending: A(32) 9 8 7 6 5 4 (104) B(136) C(168) 1 0 (192); target 120 is 16 from both 104 and 136.
        // The first minimum is channel "4": τ = 4, so it goes as well (the last minimum would keep it).
        var scores = One([10, 3, 2], [9, 8, 7, 6, 5, 4, 1, 0]);
        var plan = Allocator.Allocate(model, scores, PruningStructure.AdaptiveLayersAdaptiveModules, 0.375);
        Assert.Equal([0], plan.Layers[0].KeptKvGroups);
        Assert.Equal([0, 1, 2, 3, 4], plan.Layers[0].KeptChannels);
    }

    [Fact]
    public void Given_AL_AM_overshooting_When_the_exact_twin_prunes_Then_it_lands_within_half_a_channel_of_the_target()
    {
        using var model = ThreeHeadsEightChannels();
        var scores = One([10, 3, 2], [9, 8, 7, 6, 5, 4, 4, 0]);
        var exact = Allocator.Allocate(model, scores, PruningStructure.AdaptiveLayersAdaptiveModulesExact, 0.375);
        Assert.Equal("AL-AM-exact", exact.Structure);
        Assert.InRange(exact.RemovedParams, 0.375 * 192 - 6, 0.375 * 192 + 6);
        // The published plan's groups stay; the repair gives back the best removed channels (the two 4s).
        Assert.Equal([0], exact.Layers[0].KeptKvGroups);
        Assert.Equal([0, 1, 2, 3, 4, 5, 6], exact.Layers[0].KeptChannels);
    }

    [Theory]
    [InlineData(0.2, 4, 72)]  // int(0.2·4) = 0 groups, int(0.2·90) = 18 channels
    [InlineData(0.5, 2, 45)]
    public void Given_four_KV_groups_When_UL_UM_prunes_Then_each_layer_removes_int_p_times_n_units(double ratio, int keptGroups, int keptChannels)
    {
        using var model = RandomModels.GqaWithBiases();  // 8 query heads in 4 KV groups, I = 90, 3 layers
        var rng = new Random(5);
        var scores = model.Layers.Select(_ => new LayerUnitScores(
            Enumerable.Range(0, 4).Select(_ => rng.NextDouble()).ToArray(),
            Enumerable.Range(0, 90).Select(_ => rng.NextDouble()).ToArray())).ToList();
        var plan = Allocator.Allocate(model, scores, PruningStructure.UniformLayersUniformModules, ratio);
        for (int l = 0; l < 3; l++)
        {
            Assert.Equal(keptGroups, plan.Layers[l].KeptKvGroups.Length);
            Assert.Equal(keptChannels, plan.Layers[l].KeptChannels.Length);
            double lowestKept = plan.Layers[l].KeptChannels.Min(c => scores[l].Channels[c]);
            Assert.All(Enumerable.Range(0, 90).Except(plan.Layers[l].KeptChannels), c => Assert.True(scores[l].Channels[c] < lowestKept));
        }
        if (ratio == 0.2) Assert.True(plan.AchievedRatio < 0.2, plan.ToString());  // attention lost nothing: under budget
        var exact = Allocator.Allocate(model, scores, PruningStructure.UniformLayersUniformModulesExact, ratio);
        long channelCost = LayerUnitCosts.Of(model.Layers[0]).ChannelCost;
        Assert.True(Math.Abs(exact.RemovedParams - ratio * exact.PrunableParams) <= channelCost / 2.0, exact.ToString());
        Assert.All(exact.Layers, l => Assert.Equal(keptGroups, l.KeptKvGroups.Length));
    }

    [Fact]
    public void Given_ties_and_an_inexact_product_When_UL_UM_prunes_Then_it_keeps_scores_at_the_threshold_and_truncates_like_python()
    {
        using var model = RandomModels.Create(seed: 4, layers: 1, hidden: 4, heads: 4, kvHeads: 4, headDim: 2, intermediate: 100, vocab: 11);
        var channels = Enumerable.Range(0, 100).Select(i => (double)i).ToArray();
        // Groups: int(0.5·4) = 2, τ = sorted[2] = 2, keep ≥ 2: the tie at τ stays, one group goes.
        // Channels: 0.29·100 = 28.999999999999996 in binary, so FLAP's int() removes 28, not 29.
        var plan = Allocator.Allocate(model, One([1, 2, 2, 3], channels), PruningStructure.UniformLayersUniformModules, 0.29);
        Assert.Equal(72, plan.Layers[0].KeptChannels.Length);
        var half = Allocator.Allocate(model, One([1, 2, 2, 3], channels), PruningStructure.UniformLayersUniformModules, 0.5);
        Assert.Equal([1, 2, 3], half.Layers[0].KeptKvGroups);
    }

    [Fact]
    public void Given_squared_attention_scores_When_AL_AM_ranks_heads_Then_the_order_is_the_one_squaring_gives()
    {
        using var model = RandomModels.Create(seed: 5, layers: 1, hidden: 4, heads: 2, kvHeads: 2, headDim: 2, intermediate: 4, vocab: 11);
        // IFV channel scores are the variances: head A = [0, 3], head B = [1.6, 1.6]. Unsquared, B's mean is
        // higher (1.6 > 1.5); squared, A's is (4.5 > 2.56). MLP channels are all alike (z = 0).
        var attention = new ChannelMoments([0, 0, 0, 0], [0, 3, 1.6, 1.6], [1, 1, 1, 1], 10);
        var mlp = new ChannelMoments([0, 0, 0, 0], [1, 1, 1, 1], [1, 1, 1, 1], 10);
        var stats = new ChannelStats([new LayerChannelStats(attention, mlp)], 1);
        var scores = MetricMixture.Single(ImportanceMetric.Ifv).Score(model, stats);
        var unsquared = Standardization.ZScores([0, 3, 1.6, 1.6]);
        Assert.True(unsquared[0] + unsquared[1] < unsquared[2] + unsquared[3]);
        var z = Standardization.ZScores([0, 9, 1.6 * 1.6, 1.6 * 1.6]);
        Assert.Equal((z[0] + z[1]) / 2, scores[0].KvGroups[0], 12);
        Assert.Equal((z[2] + z[3]) / 2, scores[0].KvGroups[1], 12);
        // Descending A(32) 4 channels (80) B(112); target (1−0.125)·112 = 98 is closest to 112, so τ = B's score.
        var plan = Allocator.Allocate(model, scores, PruningStructure.AdaptiveLayersAdaptiveModules, 0.125);
        Assert.Equal([0], plan.Layers[0].KeptKvGroups);
        Assert.Equal(4, plan.Layers[0].KeptChannels.Length);
        // Wanda-sp does not square: its head order is that of the plain sums.
        Assert.False(ImportanceMetricNames.SquaresAttentionScores(ImportanceMetric.WandaSp));
        Assert.False(ImportanceMetricNames.SquaresAttentionScores(ImportanceMetric.MagnitudeSp));
    }

    [Fact]
    public void Given_a_random_model_When_a_single_metric_mixture_scores_a_layer_Then_its_group_order_is_FLAPs_per_layer_sum_of_squares()
    {
        using var model = RandomModels.GqaWithBiases();
        var windows = RandomModels.RandomWindows(model.Config.VocabSize, 3, 12, seed: 9);
        var stats = CalibrationStatistics.Collect(model, windows, 3, 12, batchSize: 3).AggregateAll();
        foreach (var metric in Enum.GetValues<ImportanceMetric>())
        {
            var mixture = MetricMixture.Single(metric).Score(model, stats);
            for (int l = 0; l < model.Layers.Count; l++)
            {
                var raw = FlapRawUnitScores(metric, model.Layers[l], model.Config.HeadDim, stats.Layers[l]);
                Assert.Equal(Ranks(raw.KvGroups), Ranks(mixture[l].KvGroups));
                Assert.Equal(Ranks(raw.Channels), Ranks(mixture[l].Channels));
            }
        }
    }

    private static int[] Ranks(double[] values) => Enumerable.Range(0, values.Length).OrderBy(i => values[i]).ToArray();

    [Fact]
    public void Given_a_manual_group_count_When_UL_MM_and_AL_MM_prune_Then_groups_follow_the_count_and_channels_FLAPs_formula()
    {
        using var model = RandomModels.Mha();  // 3 layers, 6 heads of 8, d = 48, I = 100: group 1536, channel 144
        var rng = new Random(6);
        var scores = model.Layers.Select(_ => new LayerUnitScores(
            Enumerable.Range(0, 6).Select(_ => rng.NextDouble()).ToArray(),
            Enumerable.Range(0, 100).Select(_ => rng.NextDouble()).ToArray())).ToList();
        // UL-MM, 7 groups in all: 7 // 3 = 2 per layer; channels int((0.3·(6·1536 + 100·144) − 2·1536) / 144) = int(27.87) = 27.
        var ulmm = Allocator.Allocate(model, scores, PruningStructure.UniformLayersManualModules, 0.3, removeKvGroups: 7);
        Assert.All(ulmm.Layers, l => Assert.Equal(4, l.KeptKvGroups.Length));
        Assert.All(ulmm.Layers, l => Assert.Equal(73, l.KeptChannels.Length));
        // AL-MM, 5 groups: the 5 lowest of the 18 go; channels int((0.3·3·(9216 + 14400) − 5·1536) / 144) = 94.
        var almm = Allocator.Allocate(model, scores, PruningStructure.AdaptiveLayersManualModules, 0.3, removeKvGroups: 5);
        Assert.Equal(13, almm.Layers.Sum(l => l.KeptKvGroups.Length));
        Assert.Equal(300 - 94, almm.Layers.Sum(l => l.KeptChannels.Length));
        var lowest = scores.SelectMany((s, l) => s.KvGroups.Select((v, k) => (v, l, k))).OrderBy(x => x.v).Take(5);
        Assert.All(lowest, x => Assert.DoesNotContain(x.k, almm.Layers[x.l].KeptKvGroups));
        AllocationTests.AssertOneLine(Assert.Throws<UserInputException>(() =>
            Allocator.Allocate(model, scores, PruningStructure.UniformLayersManualModules, 0.3, removeKvGroups: 18)), "UL-MM");
        AllocationTests.AssertOneLine(Assert.Throws<UserInputException>(() =>
            Allocator.Allocate(model, scores, PruningStructure.AdaptiveLayersAdaptiveModules, 0.3, removeKvGroups: 2)), "UL-MM and AL-MM");
    }

    [Fact]
    public void Given_LLaMA_7B_shapes_When_costing_units_Then_a_head_weighs_512_over_3_channels_as_in_FLAP()
    {
        const int d = 4096, h = 128, heads = 32, intermediate = 11008;
        // Shapes only: LayerUnitCosts reads numel, so the meta device allocates nothing.
        var meta = new Device(TorchSharp.DeviceType.META);
        Tensor Shape(params long[] shape) => empty(shape, device: meta);
        var widths = new LayerWidths(heads, heads, intermediate, false, false);
        var config = RandomTransformer.DenseConfig(d, 1, heads, heads, intermediate, 32000);
        using var layer = DecoderLayerWeights.Create(widths, kind => LayerTensors.Shape(kind, widths, config) is { } s ? Shape(s) : null);
        var costs = LayerUnitCosts.Of(layer);
        Assert.Equal(4L * h * d, costs.KvGroupCost);
        Assert.Equal(3L * d, costs.ChannelCost);
        Assert.Equal(512.0 / 3, (double)costs.KvGroupCost / costs.ChannelCost, 12);
    }

    [Fact]
    public void Given_random_windows_When_aggregating_FLAP_exact_Then_it_equals_BiasGPTs_sequential_update_on_the_tokens()
    {
        const int pool = 5, channels = 3, tokens = 7;
        var rng = new Random(11);
        // x[w][t][c]: a constant offset per channel makes the mean matter, as real activations do.
        var x = Enumerable.Range(0, pool).Select(_ => Enumerable.Range(0, tokens)
            .Select(_ => Enumerable.Range(0, channels).Select(c => c + rng.NextDouble() * 2 - 1).ToArray()).ToArray()).ToArray();
        double[] Sums(int w, Func<double, double> f) => Enumerable.Range(0, channels).Select(c => x[w].Sum(t => f(t[c]))).ToArray();
        int[] order = [3, 0, 4, 0, 2];  // any order, repeats allowed; the first window is dropped from F
        ChannelMoments Fold(int[] windows)
        {
            var running = new FlapRunningMoments(channels);
            foreach (int w in windows) running.Add(Sums(w, v => v), Sums(w, v => v * v), tokens);
            return running.Moments();
        }
        var flap = Fold(order);

        // BiasGPT.add_batch, one window per call, token by token.
        var mean = new double[channels];
        var fluctuation = new double[channels];
        var scaler = new double[channels];
        int n = 0;
        foreach (int w in order)
        {
            for (int c = 0; c < channels; c++)
            {
                mean[c] = mean[c] * n / (n + 1) + x[w].Average(t => t[c]) / (n + 1);
                double updated = mean[c];  // old_baseline_inp is the same tensor: already updated
                fluctuation[c] = n == 0 ? 0 : fluctuation[c] * (n - 1) / n + x[w].Sum(t => (t[c] - updated) * (t[c] - updated)) / (n + 1);
                scaler[c] = scaler[c] * n / (n + 1) + x[w].Sum(t => t[c] * t[c]) / (n + 1);
            }
            n++;
        }
        for (int c = 0; c < channels; c++)
        {
            Assert.Equal(fluctuation[c], flap.Variance[c], 1e-12);
            Assert.Equal(scaler[c], flap.MeanSquare[c], 1e-12);
            Assert.Equal((double)(Half)(float)mean[c], flap.Mean[c]);  // baseline_inp.type(torch.half)
        }
        Assert.Equal(order.Length * tokens, flap.Tokens);
        // The first window carries no fluctuation: a different first window changes F.
        Assert.NotEqual(flap.Variance[0], Fold([0, 3, 4, 0, 2]).Variance[0]);
    }

    /// <summary>
    /// FLAP's raw per-layer unit scores, before any standardization, as its UL-UM / UL-MM branches and
    /// Wanda-sp / magnitude-sp rank a layer's units: a KV group scores the SUM of its channels' scores,
    /// squared first for FLAP's metrics; an MLP channel its own score. The reference the mixture's order is checked against.
    /// </summary>
    private static LayerUnitScores FlapRawUnitScores(ImportanceMetric metric, DecoderLayerWeights layer, int headDim, LayerChannelStats? stats)
    {
        var widths = layer.Widths;
        double[] groups = [];
        if (widths.NumHeads > 0)
        {
            var channels = ChannelImportance.Score(metric, layer.OProj!, stats?.Attention);
            int perGroup = widths.GroupSize * headDim;
            bool square = ImportanceMetricNames.SquaresAttentionScores(metric);
            groups = new double[widths.NumKvHeads];
            for (int k = 0; k < groups.Length; k++)
                for (int j = k * perGroup; j < (k + 1) * perGroup; j++)
                    groups[k] += square ? channels[j] * channels[j] : channels[j];
        }
        double[] mlp = widths.IntermediateSize > 0 ? ChannelImportance.Score(metric, layer.DownProj!, stats?.Mlp) : [];
        return new LayerUnitScores(groups, mlp);
    }
}

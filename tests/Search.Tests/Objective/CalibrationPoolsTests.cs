using Search.Data;
using Search.Model;
using Search.Model.Tokenizers;
using Search.Objective;
using Search.Pruning.Statistics;
using Search.Tests.Data;
using Search.Tests.Pruning;
using Search.Tests.Support;

namespace Search.Tests.Objective;

/// <summary>
/// CalibrationPools: a trial's (source, n, seqlen, seed) statistics come from the pool drawn for
/// (source, seqlen, seed) — FLAP's windows for that seed — without another dense pass.
/// </summary>
[Collection(PruningCollection.Name)]
public sealed class CalibrationPoolsTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private (CalibrationPools Pools, CorpusSource Source, SmallVocabTokenizer Tokenizer) Setup(Transformer model, int poolSize, Action<string>? log = null)
    {
        var text = string.Concat(Enumerable.Range(0, 4000).Select(i => (char)('a' + (i * 7919 % 26))));
        var source = new CorpusSource("letters", "train", temp.File("letters.txt", text), TextPreparation.ByExtension);
        var tokenizer = new SmallVocabTokenizer(model.Config.VocabSize);
        var pools = new CalibrationPools(model, "random-gqa", tokenizer, new TokenCache(Path.Combine(temp.Path, "tokens")),
            _ => source, poolSize, cache: null, log);
        return (pools, source, tokenizer);
    }

    [Fact]
    public void Given_a_pool_When_a_trial_takes_n_samples_Then_its_statistics_equal_a_dense_pass_over_FLAPs_first_n_windows()
    {
        using var model = RandomModels.GqaWithBiases();
        var (pools, source, tokenizer) = Setup(model, poolSize: 16);
        var stats = pools.Statistics("letters", seqLen: 12, samples: 8, seed: 3);

        var windows = CorpusTokens.CalibrationWindowsOf(source, tokenizer, null, new PoolSpec("letters", "train", 12, 8, 3));
        var direct = CalibrationStatistics.Collect(model, windows.Ids, 8, 12, batchSize: 3).AggregateAll();
        // The pool ran its windows in other batches than this direct pass: float32 GEMMs of other
        // shapes round differently, so the sums agree to float32 precision, not bit for bit.
        static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-6 * (1 + Math.Abs(a));
        Assert.Equal(8, stats.Windows);
        for (int l = 0; l < model.Layers.Count; l++)
        {
            Assert.Equal(direct.Layers[l].Mlp.Mean, stats.Layers[l].Mlp.Mean, Close);
            Assert.Equal(direct.Layers[l].Attention.Variance, stats.Layers[l].Attention.Variance, Close);
        }
    }

    [Fact]
    public void Given_one_pool_When_trials_ask_for_other_sample_counts_Then_only_new_windows_run_and_another_seed_draws_a_new_pool()
    {
        using var model = RandomModels.GqaWithBiases();
        var passes = new List<string>();
        var (pools, _, _) = Setup(model, poolSize: 16, passes.Add);
        var eight = pools.Statistics("letters", 12, 8, seed: 0);
        Assert.Equal(8, pools.CollectedWindows("letters", 12, 0));
        pools.Statistics("letters", 12, 4, seed: 0);                      // within the extent: no pass
        Assert.Equal(["calibration pool letters:train:16x12:seed0: dense pass over windows 0..8"], passes);
        var sixteen = pools.Statistics("letters", 12, 16, seed: 0);       // a pass over windows 8..15 only
        Assert.Equal("calibration pool letters:train:16x12:seed0: dense pass over windows 8..16", passes[^1]);
        Assert.Equal(16, pools.CollectedWindows("letters", 12, 0));
        Assert.NotEqual(eight.Layers[0].Mlp.Mean, sixteen.Layers[0].Mlp.Mean);
        // The extended sums are those of one pass over all 16 windows: the first 8 were not run again on top.
        var windows = pools.Windows("letters", 12, 16, seed: 0);
        var direct = CalibrationStatistics.Collect(model, windows.Ids, 16, 12, 4096 / 12).Aggregate(16);
        Assert.Equal(direct.Layers[0].Mlp.Mean, sixteen.Layers[0].Mlp.Mean);
        pools.Statistics("letters", 12, 8, seed: 1);
        Assert.Equal(3, passes.Count);
        Assert.Equal("calibration pool letters:train:16x12:seed1: dense pass over windows 0..8", passes[^1]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(17)]
    public void Given_a_sample_count_outside_the_pool_When_asked_Then_one_line_names_the_pool_size(int samples)
    {
        using var model = RandomModels.GqaWithBiases();
        var (pools, _, _) = Setup(model, poolSize: 16);
        var e = Assert.Throws<UserInputException>(() => pools.Statistics("letters", 12, samples, seed: 0));
        Assert.Contains("pool size", e.Message);
    }
}

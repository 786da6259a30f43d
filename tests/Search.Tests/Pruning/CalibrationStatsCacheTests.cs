using Search.Objective;
using Search.Data;
using Search.Model.Checkpoints;
using Search.Pruning.Statistics;
using Search.Tests.Data;

namespace Search.Tests.Pruning;

/// <summary>The statistics cache serves an entry only for what it was computed for.</summary>
[Collection(PruningCollection.Name)]
public sealed class CalibrationStatsCacheTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Given_two_valid_entries_swapped_by_hand_When_read_Then_neither_is_trusted_and_each_pool_gets_its_own_statistics()
    {
        using var model = RandomModels.GqaWithBiases();
        var cache = new CalibrationStatsCache(Path.Combine(temp.Path, "stats"));
        var (poolA, windowsA) = Pool(model.Config.VocabSize, seed: 1);
        var (poolB, windowsB) = Pool(model.Config.VocabSize, seed: 2);
        var a = cache.GetOrCollect(model, "random-gqa", poolA, BosMode.Corpus, windowsA, 2, out bool hitA).AggregateAll();
        var b = cache.GetOrCollect(model, "random-gqa", poolB, BosMode.Corpus, windowsB, 2, out bool hitB).AggregateAll();
        Assert.False(hitA || hitB);
        Assert.NotEqual(a.Layers[0].Mlp.Mean, b.Layers[0].Mlp.Mean);

        // Both files are whole and checksum-valid; only what they are for is exchanged.
        string dtype = Checkpoint.DtypeName(model.DType);
        string fileA = cache.PathFor("random-gqa", poolA, BosMode.Corpus, dtype, windowsA);
        string fileB = cache.PathFor("random-gqa", poolB, BosMode.Corpus, dtype, windowsB);
        File.Move(fileA, fileA + ".swap");
        File.Move(fileB, fileA);
        File.Move(fileA + ".swap", fileB);

        var againA = cache.GetOrCollect(model, "random-gqa", poolA, BosMode.Corpus, windowsA, 2, out bool swappedHit).AggregateAll();
        Assert.False(swappedHit);
        Assert.Equal(a.Layers[0].Mlp.Mean, againA.Layers[0].Mlp.Mean);
        Assert.Equal(a.Layers[1].Attention.Variance, againA.Layers[1].Attention.Variance);

        // The recomputed entry replaced the foreign one: the next read is a hit with A's numbers.
        var cachedA = cache.GetOrCollect(model, "random-gqa", poolA, BosMode.Corpus, windowsA, 2, out bool rewrittenHit).AggregateAll();
        Assert.True(rewrittenHit);
        Assert.Equal(a.Layers[0].Mlp.Mean, cachedA.Layers[0].Mlp.Mean);
    }

    private static (PoolSpec, CalibrationWindows) Pool(int vocab, int seed)
    {
        const int count = 4, seqLen = 12;
        return (new PoolSpec("letters", "train", seqLen, count, seed),
            new CalibrationWindows(RandomModels.RandomWindows(vocab, count, seqLen, seed), count, seqLen, new int[count]));
    }
}

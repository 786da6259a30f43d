using Search.Objective;
using System.Text;
using Search.Data;
using Search.Model;
using Search.Model.Checkpoints;
using Search.Pruning.Statistics;
using Search.Tests.Data;

namespace Search.Tests.Pruning;

/// <summary>
/// Lazy calibration pools (issue 18): statistics collected rung by rung and extended by passes over
/// only the new windows are the very doubles of one pass over the whole pool; the cache stores the
/// extent, extends it, and still reads format-3 files written before extents existed.
/// </summary>
[Collection(PruningCollection.Name)]
public sealed class LazyPoolTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [SharedFact]
    public void Given_stories260K_When_a_pool_is_extended_rung_by_rung_Then_every_sum_is_bit_identical_to_one_full_pass()
    {
        var model = Stories260KFixture.Model;
        const int pool = 48, seqLen = Stories260KFixture.SeqLen, batch = 5; // 48: a top rung off the powers of two
        var ids = Stories260KFixture.Calibration[..(pool * seqLen)];
        var full = CalibrationStatistics.Collect(model, ids, pool, seqLen, batch);
        var lazy = CalibrationStatistics.CollectPrefix(model, ids, pool, seqLen, batch, extent: 2);
        Assert.Equal(2, lazy.Extent);
        Assert.Equal(new[] { 1, 2 }, lazy.Rungs);
        Assert.Throws<InvalidOperationException>(() => lazy.Aggregate(4));
        lazy.Extend(model, ids, 16, batch);
        lazy.Extend(model, ids, 48, batch);
        var jump = CalibrationStatistics.CollectPrefix(model, ids, pool, seqLen, batch, extent: 1);
        jump.Extend(model, ids, 48, batch);
        foreach (var other in new[] { lazy, jump }) AssertIdentical(full, other);
        Assert.Equal(full.AggregateAll(StatisticsMode.FlapExact).Layers[1].Mlp.Variance, lazy.AggregateAll(StatisticsMode.FlapExact).Layers[1].Mlp.Variance);
    }

    [Fact]
    public void Given_a_pool_When_extended_Then_only_the_new_windows_run()
    {
        using var model = RandomModels.GqaWithBiases();
        const int pool = 32, seqLen = 8, batch = 4;
        var ids = RandomModels.RandomWindows(model.Config.VocabSize, pool, seqLen, seed: 11);
        var first = new List<int>();
        var stats = CalibrationStatistics.CollectPrefix(model, ids, pool, seqLen, batch, extent: 4, first.Add);
        // Windows 0, 1, 2..3: batches end at rungs.
        Assert.Equal([1, 1, 2], first);
        var second = new List<int>();
        stats.Extend(model, ids, 16, batch, second.Add);
        Assert.Equal([4, 4, 4], second);                                   // 4..7, 8..11, 12..15
        var third = new List<int>();
        stats.Extend(model, ids, 8, batch, third.Add);                      // already covered: no pass
        Assert.Empty(third);
        Assert.Equal(16, stats.Extent);
        Assert.Equal(CalibrationStatistics.Batches(0, 16, stats.Ladder, batch).Select(b => b.Count), [.. first, .. second]);
    }

    [Fact]
    public void Given_a_cache_When_a_second_process_asks_for_more_windows_Then_the_stored_extent_is_extended_and_read_back()
    {
        using var model = RandomModels.GqaWithBiases();
        var (spec, windows) = Pool(model, count: 16, seqLen: 8);
        var directory = Path.Combine(temp.Path, "stats");
        var first = new CalibrationStatsCache(directory).GetOrCollect(model, "m", spec, BosMode.Corpus, windows, 3, extent: 4, out bool hit1);
        Assert.False(hit1);
        Assert.Equal(4, first.Extent);
        var batches = new List<int>();
        var second = new CalibrationStatsCache(directory).GetOrCollect(model, "m", spec, BosMode.Corpus, windows, 3, extent: 16, out bool hit2, batches.Add);
        Assert.False(hit2);
        // One pass over windows 4..15 only (a pass from scratch would run 16), in the batches a full pass runs them in.
        Assert.Equal(CalibrationStatistics.Batches(4, 16, second.Ladder, 3).Select(b => b.Count), batches);
        Assert.Equal(12, batches.Sum());
        var third = new CalibrationStatsCache(directory).GetOrCollect(model, "m", spec, BosMode.Corpus, windows, 3, extent: 8, out bool hit3);
        Assert.True(hit3);
        Assert.Equal(16, third.Extent);
        AssertIdentical(CalibrationStatistics.Collect(model, windows.Ids, 16, 8, 3), third);
    }

    [Fact]
    public void Given_a_format_3_stats_file_written_before_lazy_pools_When_read_Then_it_serves_the_pool_and_a_damaged_one_is_recomputed()
    {
        using var model = RandomModels.GqaWithBiases();
        var (spec, windows) = Pool(model, count: 8, seqLen: 8);
        var cache = new CalibrationStatsCache(Path.Combine(temp.Path, "stats3"));
        var full = CalibrationStatistics.Collect(model, windows.Ids, 8, 8, 3);
        var path = cache.PathFor("m", spec, BosMode.Corpus, Checkpoint.DtypeName(model.DType), windows);
        var legacy = FormatThree(full);
        Checksummed.Write(path, s => s.Write(legacy));
        var batches = new List<int>();
        var read = cache.GetOrCollect(model, "m", spec, BosMode.Corpus, windows, 3, out bool hit, batches.Add);
        Assert.True(hit);
        Assert.Empty(batches);
        Assert.Null(read.StoredKey);
        AssertIdentical(full, read);

        var damaged = File.ReadAllBytes(path);
        damaged[legacy.Length - 12] ^= 0x5A; // a flipped byte under a valid header: the digest no longer matches
        File.WriteAllBytes(path, damaged);
        var rebuilt = cache.GetOrCollect(model, "m", spec, BosMode.Corpus, windows, 3, out bool hit2);
        Assert.False(hit2);
        AssertIdentical(full, rebuilt);
        // The rebuilt file is format 4 with the key inside, and serves the next process.
        var again = new CalibrationStatsCache(cache.Directory).GetOrCollect(model, "m", spec, BosMode.Corpus, windows, 3, out bool hit3);
        Assert.True(hit3);
        Assert.Contains("pool=", again.StoredKey);
    }

    [Fact]
    public void Given_a_stats_file_under_another_entrys_name_When_read_Then_its_stored_key_refuses_it()
    {
        using var model = RandomModels.GqaWithBiases();
        var (spec, windows) = Pool(model, count: 8, seqLen: 8);
        var cache = new CalibrationStatsCache(Path.Combine(temp.Path, "stats-key"));
        cache.GetOrCollect(model, "m", spec, BosMode.Corpus, windows, 3, out _);
        var path = cache.PathFor("m", spec, BosMode.Corpus, Checkpoint.DtypeName(model.DType), windows);
        var otherPath = cache.PathFor("other-model", spec, BosMode.Corpus, Checkpoint.DtypeName(model.DType), windows);
        File.Copy(path, otherPath);
        var batches = new List<int>();
        cache.GetOrCollect(model, "other-model", spec, BosMode.Corpus, windows, 3, out bool hit, batches.Add);
        Assert.False(hit);
        Assert.Equal(CalibrationStatistics.Batches(0, 8, CalibrationLadder.Rungs(8), 3).Select(b => b.Count), batches); // one full pass
    }

    private static (PoolSpec, CalibrationWindows) Pool(Transformer model, int count, int seqLen)
    {
        var ids = RandomModels.RandomWindows(model.Config.VocabSize, count, seqLen, seed: 21);
        return (new PoolSpec("random", "train", seqLen, count, 0), new CalibrationWindows(ids, count, seqLen, new int[count]));
    }

    /// <summary>The format-3 bytes of a whole pool: format 4 without the key and extent fields.</summary>
    private static byte[] FormatThree(CalibrationStatistics stats)
    {
        using var buffer = new MemoryStream();
        stats.Save(buffer, key: "");
        var v4 = buffer.ToArray();
        // magic(8) version(4) keyLength(4)=0 windows(4) extent(4) …
        var v3 = new List<byte>();
        v3.AddRange(v4[..8]);
        v3.AddRange(BitConverter.GetBytes(3));
        v3.AddRange(v4[16..20]);   // windows
        v3.AddRange(v4[24..]);     // seqLen onwards
        return v3.ToArray();
    }

    private static void AssertIdentical(CalibrationStatistics expected, CalibrationStatistics actual)
    {
        Assert.Equal(expected.Extent, actual.Extent);
        Assert.Equal(expected.Rungs, actual.Rungs);
        for (int l = 0; l < expected.Layers.Count; l++)
            foreach (var (e, a) in new[] { (expected.Layers[l].Attention, actual.Layers[l].Attention), (expected.Layers[l].Mlp, actual.Layers[l].Mlp) })
            {
                Assert.Equal(e.Tokens, a.Tokens);
                for (int r = 0; r < expected.Rungs.Count; r++)
                {
                    Assert.Equal(e.Sum[r], a.Sum[r]);               // exact: double equality, no tolerance
                    Assert.Equal(e.SumOfSquares[r], a.SumOfSquares[r]);
                }
                Assert.Equal(e.Flap.Moments().Variance, a.Flap.Moments().Variance);
                Assert.Equal(e.Flap.Moments().MeanSquare, a.Flap.Moments().MeanSquare);
            }
    }
}

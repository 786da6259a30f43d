using Search.Data;
using Search.Model;
using Search.Model.Tokenizers;
using Search.Pruning.Statistics;

namespace Search.Objective;

/// <summary>
/// Calibration statistics for a trial's (source, samples n, seqlen, seed) without a dense pass per
/// trial. One pool of <see cref="PoolSize"/> windows per (source, seqlen, seed) is drawn exactly as
/// FLAP draws calibration windows — the source's token stream with one BOS in front, offsets from
/// CPython's <c>random.seed(seed); randint(0, T−seqlen−1)</c> — and its statistics come from dense
/// passes over only as many of its windows as trials have asked for (lazy pools: a trial asking for 16
/// windows of a new pool pays for 16; one asking for 64 later pays for windows 16..64), cached on disk
/// with their extent, so later processes and studies skip them. A trial's n snaps to the
/// pool's ladder (<see cref="CalibrationLadder"/>) and takes the pool's first n windows, which is
/// exactly FLAP's n-sample calibration set for that seed. Few pools stay in memory (least recently
/// used goes first); the disk cache keeps them all.
/// </summary>
public sealed class CalibrationPools(Transformer dense, string modelHash, ITextTokenizer tokenizer, TokenCache tokens,
    Func<string, CorpusSource> resolveSource, int poolSize, CalibrationStatsCache? cache = null, Action<string>? log = null,
    int poolsInMemory = CalibrationPools.DefaultPoolsInMemory)
{
    public const int DefaultPoolsInMemory = 4;

    private readonly LinkedList<((string Source, int SeqLen, int Seed) Key, CalibrationStatistics? Stats, CalibrationWindows Windows, PoolSpec Spec)> recent = new();

    public int PoolSize { get; } = poolSize;

    /// <summary>The window count a request for <paramref name="samples"/> uses (a rung of the ladder).</summary>
    public int EffectiveSamples(int samples)
    {
        if (samples < 1 || samples > PoolSize)
            throw new UserInputException($"calibration_samples {samples} is outside 1..{PoolSize} (the pool size; raise --pool-size)");
        return CalibrationLadder.Snap(samples, PoolSize);
    }

    public ChannelStats Statistics(string source, int seqLen, int samples, int seed)
    {
        int n = EffectiveSamples(samples);
        var stats = Pool(source, seqLen, seed, n).Stats;
        // One ChannelStats per (pool, rung): the unit score cache keys on the instance.
        lock (aggregated)
        {
            var perRung = aggregated.GetValue(stats, _ => new Dictionary<int, ChannelStats>());
            if (!perRung.TryGetValue(n, out var channelStats)) perRung[n] = channelStats = stats.Aggregate(n);
            return channelStats;
        }
    }

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<CalibrationStatistics, Dictionary<int, ChannelStats>> aggregated = new();

    /// <summary>The trial's calibration windows (the pool's first n, n snapped to the ladder) — what a least-squares reconstruction fits on.</summary>
    public CalibrationWindows Windows(string source, int seqLen, int samples, int seed) =>
        Pool(source, seqLen, seed, extent: 0).Windows.Take(EffectiveSamples(samples));

    /// <summary>
    /// How many windows of the (source, seqLen, seed) pool have statistics in memory or on disk
    /// without a pass (0: none yet); a sampler prices a proposal by what its pool still needs.
    /// </summary>
    public int CollectedWindows(string source, int seqLen, int seed) => extents.GetValueOrDefault((source, seqLen, seed));

    /// <summary>The extent each pool this process has touched reached (kept after the pool leaves memory: the disk cache has it).</summary>
    private readonly Dictionary<(string, int, int), int> extents = new();

    /// <param name="extent">The rung the statistics must cover (0: the windows only).</param>
    private (CalibrationStatistics Stats, CalibrationWindows Windows) Pool(string source, int seqLen, int seed, int extent)
    {
        var key = (source, seqLen, seed);
        for (var node = recent.First; node is not null; node = node.Next)
            if (node.Value.Key == key)
            {
                recent.Remove(node);
                var (_, stats, windows, spec) = node.Value;
                stats = Cover(stats, spec, windows, extent);
                recent.AddFirst((key, stats, windows, spec));
                if (stats is not null) extents[key] = stats.Extent;
                return (stats!, windows);
            }
        var corpus = resolveSource(source);
        var poolSpec = new PoolSpec(source, corpus.Split, seqLen, PoolSize, seed);
        var poolWindows = CorpusTokens.CalibrationWindowsOf(corpus, tokenizer, tokens, poolSpec);
        var collected = Cover(null, poolSpec, poolWindows, extent);
        recent.AddFirst((key, collected, poolWindows, poolSpec));
        if (collected is not null) extents[key] = collected.Extent;
        while (recent.Count > Math.Max(1, poolsInMemory)) recent.RemoveLast();
        return (collected!, poolWindows);
    }

    /// <summary>
    /// Statistics covering the pool's first <paramref name="extent"/> windows: <paramref name="stats"/>
    /// when they do, else read from the cache or extended by a pass over the missing windows only.
    /// </summary>
    private CalibrationStatistics? Cover(CalibrationStatistics? stats, PoolSpec spec, CalibrationWindows windows, int extent)
    {
        if (extent == 0 || (stats is not null && stats.Extent >= extent)) return stats;
        int batch = Math.Max(1, 4096 / spec.SeqLen); // ~4K tokens per block call bounds one call's activations
        int from = stats?.Extent ?? 0;
        if (cache is null)
        {
            log?.Invoke($"calibration pool {spec.Key}: dense pass over windows {from}..{extent}");
            if (stats is null) return CalibrationStatistics.CollectPrefix(dense, windows.Ids, windows.Count, spec.SeqLen, batch, extent);
            stats.Extend(dense, windows.Ids, extent, batch);
            return stats;
        }
        if (stats is null)
        {
            var read = cache.GetOrCollect(dense, modelHash, spec, BosMode.Corpus, windows, batch, extent, out bool hit);
            log?.Invoke($"calibration pool {spec.Key}: {(hit ? $"cached statistics ({read.Extent} windows)" : $"dense pass over windows ..{extent}")}");
            return read;
        }
        cache.Extend(stats, dense, modelHash, spec, BosMode.Corpus, windows, extent, batch);
        log?.Invoke($"calibration pool {spec.Key}: dense pass over windows {from}..{extent}");
        return stats;
    }
}

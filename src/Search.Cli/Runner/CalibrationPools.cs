using Search.Model;
using Search.Pruning.Data;
using Search.Pruning.Pruning.Statistics;

namespace Search.Cli.Runner;

/// <summary>
/// One pool of calibration windows per (source, seqlen), whose per-window statistics come from a
/// single dense pass; every trial's calibration set is a subset, so its statistics are a sum.
/// Pool windows follow FLAP: the source's token stream with one BOS in front, offsets from CPython's
/// <c>random.seed(0); randint(0, T−seqlen−1)</c>. A trial's (samples n, seed s) takes the first n
/// pool windows when s = 0 (exactly FLAP's n-sample set) and a seeded random n-subset otherwise.
/// </summary>
public sealed class CalibrationPools(Transformer dense, Func<string, CorpusSource> resolveSource,
    Func<CorpusSource, int[]> tokens, int poolSize, Action<string>? log = null)
{
    private readonly Dictionary<(string Source, int SeqLen), CalibrationStatistics> pools = new();

    public int PoolSize { get; } = poolSize;

    public ChannelStats Statistics(string source, int seqLen, int samples, int seed)
    {
        if (samples < 1 || samples > PoolSize)
            throw new UserInputException($"calibration_samples {samples} is outside 1..{PoolSize} (the pool size; raise --pool-size)");
        var pool = Pool(source, seqLen);
        return pool.Aggregate(Subset(samples, seed));
    }

    public IReadOnlyList<int> Subset(int samples, int seed)
    {
        if (seed == 0) return Enumerable.Range(0, samples).ToArray();
        // Partial Fisher–Yates with CPython's generator: deterministic across platforms.
        var rng = new PythonRandom(seed);
        var idx = Enumerable.Range(0, PoolSize).ToArray();
        for (int i = 0; i < samples; i++)
        {
            int j = i + (int)rng.RandBelow((ulong)(PoolSize - i));
            (idx[i], idx[j]) = (idx[j], idx[i]);
        }
        return idx[..samples];
    }

    private CalibrationStatistics Pool(string source, int seqLen)
    {
        if (pools.TryGetValue((source, seqLen), out var cached)) return cached;
        var corpus = resolveSource(source);
        int[] ids = tokens(corpus);
        var stream = new int[ids.Length + 1];
        stream[0] = dense.Config.BosTokenId ?? 1;
        ids.CopyTo(stream, 1);
        if (stream.Length <= seqLen + 1)
            throw new UserInputException($"calibration source {source} has {stream.Length} tokens, too few for {seqLen}-token windows");
        var windows = CalibrationSampler.Sample(stream, PoolSize, seqLen, seed: 0, CalibrationSampling.Python);
        log?.Invoke($"calibration pool {source}:{corpus.Split} {PoolSize}x{seqLen}: one dense pass");
        var stats = CalibrationStatistics.Collect(dense, windows.Ids, windows.Count, seqLen,
            batchSize: Math.Max(1, 16384 / seqLen));
        pools[(source, seqLen)] = stats;
        return stats;
    }
}

using Search.Data;
using Search.Model;
using Search.Model.Tokenizers;
using Search.Pruning.Statistics;

namespace Search.Objective;

/// <summary>
/// Calibration statistics for a trial's (source, samples n, seqlen, seed) without a dense pass per
/// trial. One pool of <see cref="PoolSize"/> windows per (source, seqlen, seed) is drawn exactly as
/// FLAP draws calibration windows — the source's token stream with one BOS in front, offsets from
/// CPython's <c>random.seed(seed); randint(0, T−seqlen−1)</c> — and its statistics come from one
/// dense pass (cached on disk, so later processes and studies skip it). A trial's n snaps to the
/// pool's ladder (<see cref="CalibrationLadder"/>) and takes the pool's first n windows, which is
/// exactly FLAP's n-sample calibration set for that seed. Few pools stay in memory (least recently
/// used goes first); the disk cache keeps them all.
/// </summary>
public sealed class CalibrationPools(Transformer dense, string modelHash, ITextTokenizer tokenizer, TokenCache tokens,
    Func<string, CorpusSource> resolveSource, int poolSize, CalibrationStatsCache? cache = null, Action<string>? log = null,
    int poolsInMemory = CalibrationPools.DefaultPoolsInMemory)
{
    public const int DefaultPoolsInMemory = 4;

    private readonly LinkedList<((string Source, int SeqLen, int Seed) Key, CalibrationStatistics Stats, CalibrationWindows Windows)> recent = new();

    public int PoolSize { get; } = poolSize;

    /// <summary>The window count a request for <paramref name="samples"/> uses (a rung of the ladder).</summary>
    public int EffectiveSamples(int samples)
    {
        if (samples < 1 || samples > PoolSize)
            throw new UserInputException($"calibration_samples {samples} is outside 1..{PoolSize} (the pool size; raise --pool-size)");
        return CalibrationLadder.Snap(samples, PoolSize);
    }

    public ChannelStats Statistics(string source, int seqLen, int samples, int seed) =>
        Pool(source, seqLen, seed).Stats.Aggregate(EffectiveSamples(samples));

    /// <summary>The trial's calibration windows (the pool's first n, n snapped to the ladder) — what a least-squares reconstruction fits on.</summary>
    public CalibrationWindows Windows(string source, int seqLen, int samples, int seed) =>
        Pool(source, seqLen, seed).Windows.Take(EffectiveSamples(samples));

    private (CalibrationStatistics Stats, CalibrationWindows Windows) Pool(string source, int seqLen, int seed)
    {
        var key = (source, seqLen, seed);
        for (var node = recent.First; node is not null; node = node.Next)
            if (node.Value.Key == key)
            {
                recent.Remove(node);
                recent.AddFirst(node);
                return (node.Value.Stats, node.Value.Windows);
            }
        var (stats, windows) = Load(source, seqLen, seed);
        recent.AddFirst((key, stats, windows));
        while (recent.Count > Math.Max(1, poolsInMemory)) recent.RemoveLast();
        return (stats, windows);
    }

    private (CalibrationStatistics, CalibrationWindows) Load(string source, int seqLen, int seed)
    {
        var corpus = resolveSource(source);
        var spec = new PoolSpec(source, corpus.Split, seqLen, PoolSize, seed);
        var windows = CorpusTokens.CalibrationWindowsOf(corpus, tokenizer, tokens, spec);
        int batch = Math.Max(1, 4096 / seqLen); // ~4K tokens per block call bounds one call's activations
        if (cache is null)
        {
            log?.Invoke($"calibration pool {spec.Key}: one dense pass");
            return (CalibrationStatistics.Collect(dense, windows.Ids, windows.Count, seqLen, batch), windows);
        }
        var stats = cache.GetOrCollect(dense, modelHash, spec, BosMode.Corpus, windows, batch, out bool hit);
        log?.Invoke($"calibration pool {spec.Key}: {(hit ? "cached statistics" : "one dense pass")}");
        return (stats, windows);
    }
}

using Search.Model;
using Search.Model.Tokenizers;
using Search.Data;
using Search.Pruning.Statistics;

namespace Search.Objective;

/// <summary>
/// Calibration statistics for a trial's (source, samples n, seqlen, seed) without a dense pass per
/// trial. One pool of <see cref="PoolSize"/> windows per (source, seqlen, seed) is drawn exactly as
/// FLAP draws calibration windows — the source's token stream with one BOS in front, offsets from
/// CPython's <c>random.seed(seed); randint(0, T−seqlen−1)</c> — and its per-window sums come from one
/// dense pass (cached on disk, so later processes and studies skip it). A trial with n samples takes
/// the pool's first n windows, which is exactly FLAP's n-sample calibration set for that seed; its
/// statistics are a sum over those windows.
/// </summary>
public sealed class CalibrationPools(Transformer dense, string modelHash, ITextTokenizer tokenizer, TokenCache tokens,
    Func<string, CorpusSource> resolveSource, int poolSize, CalibrationStatsCache? cache = null, Action<string>? log = null)
{
    private readonly Dictionary<(string Source, int SeqLen, int Seed), CalibrationStatistics> pools = new();

    public int PoolSize { get; } = poolSize;

    public ChannelStats Statistics(string source, int seqLen, int samples, int seed)
    {
        if (samples < 1 || samples > PoolSize)
            throw new UserInputException($"calibration_samples {samples} is outside 1..{PoolSize} (the pool size; raise --pool-size)");
        return Pool(source, seqLen, seed).Aggregate(Enumerable.Range(0, samples).ToArray());
    }

    private CalibrationStatistics Pool(string source, int seqLen, int seed)
    {
        if (pools.TryGetValue((source, seqLen, seed), out var cached)) return cached;
        var corpus = resolveSource(source);
        var spec = new PoolSpec(source, corpus.Split, seqLen, PoolSize, seed);
        var windows = CorpusTokens.CalibrationWindowsOf(corpus, tokenizer, tokens, spec);
        int batch = Math.Max(1, 16384 / seqLen);
        CalibrationStatistics stats;
        if (cache is null)
        {
            log?.Invoke($"calibration pool {spec.Key}: one dense pass");
            stats = CalibrationStatistics.Collect(dense, windows.Ids, windows.Count, seqLen, batch);
        }
        else
        {
            stats = cache.GetOrCollect(dense, modelHash, spec, BosMode.Corpus, windows, batch, out bool hit);
            log?.Invoke($"calibration pool {spec.Key}: {(hit ? "cached statistics" : "one dense pass")}");
        }
        pools[(source, seqLen, seed)] = stats;
        return stats;
    }
}

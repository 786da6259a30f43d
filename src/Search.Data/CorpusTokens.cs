using Search.Model.Tokenizers;

namespace Search.Data;

/// <summary>The one path from a resolved corpus to ids: read its prepared text, then encode it through the cache.</summary>
public static class CorpusTokens
{
    /// <summary>Corpus ids without BOS; <paramref name="cache"/> null encodes every time.</summary>
    public static int[] Load(CorpusSource source, ITextTokenizer tokenizer, TokenCache? cache)
    {
        var text = source.ReadText();
        return cache is null ? tokenizer.Encode(text) : cache.GetOrEncode(tokenizer, text);
    }

    /// <summary>
    /// The calibration windows of a pool, FLAP's way: the corpus stream with ONE BOS at its start (what
    /// FLAP's HF tokenizer call produces for the joined text), offsets drawn with CPython's
    /// <c>random.seed(seed); randint(0, T − seqLen − 1)</c> per window.
    /// </summary>
    public static CalibrationWindows CalibrationWindowsOf(CorpusSource source, ITextTokenizer tokenizer, TokenCache? cache, PoolSpec pool)
    {
        var corpus = Load(source, tokenizer, cache);
        var stream = new int[corpus.Length + 1];
        stream[0] = tokenizer.BosId;
        corpus.CopyTo(stream, 1);
        return CalibrationSampler.Sample(stream, pool.Count, pool.SeqLen, pool.Seed, CalibrationSampling.Python);
    }

    /// <summary>Evaluation windows of a corpus with its dataset and split recorded in the protocol.</summary>
    public static EvalWindows EvalWindowsOf(
        CorpusSource source, ITextTokenizer tokenizer, TokenCache? cache, BosMode bos, int seqLen, int? maxWindows = null) =>
        EvalWindows.Build(Load(source, tokenizer, cache), tokenizer.BosId, bos, seqLen, maxWindows, source.Dataset, source.Split);
}

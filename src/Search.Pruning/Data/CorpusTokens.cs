using Search.Model.Tokenizers;

namespace Search.Pruning.Data;

/// <summary>The one path from a resolved corpus to ids: read its prepared text, then encode it through the cache.</summary>
public static class CorpusTokens
{
    /// <summary>Corpus ids without BOS; <paramref name="cache"/> null encodes every time.</summary>
    public static int[] Load(CorpusSource source, ITextTokenizer tokenizer, TokenCache? cache)
    {
        var text = source.ReadText();
        return cache is null ? tokenizer.Encode(text) : cache.GetOrEncode(tokenizer, text);
    }

    /// <summary>Evaluation windows of a corpus with its dataset and split recorded in the protocol.</summary>
    public static EvalWindows EvalWindowsOf(
        CorpusSource source, ITextTokenizer tokenizer, TokenCache? cache, BosMode bos, int seqLen, int? maxWindows = null) =>
        EvalWindows.Build(Load(source, tokenizer, cache), tokenizer.BosId, bos, seqLen, maxWindows, source.Dataset, source.Split);
}

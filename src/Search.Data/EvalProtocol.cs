namespace Search.Data;

/// <summary>
/// Everything needed to say what a perplexity number means (docs/methods.md §5: stored with every result).
/// <paramref name="CorpusTokens"/> counts the corpus ids without any BOS; <paramref name="MaxWindows"/>
/// is the cap that was asked for, if any (then only the first windows were kept).
/// </summary>
public sealed record EvalProtocol(
    string Dataset,
    string Split,
    int SeqLen,
    BosMode Bos,
    int Windows,
    long ScoredTokens,
    long CorpusTokens,
    int? MaxWindows)
{
    /// <summary>A one-line description; for <see cref="BosMode.Corpus"/> it reads exactly like reference_outputs.json's protocol strings.</summary>
    public string Describe()
    {
        var layout = Bos switch
        {
            BosMode.Corpus => "stream: ids=[BOS]+encode(text)",
            BosMode.Window => $"per window: [BOS]+next {SeqLen - 1} ids of encode(text)",
            BosMode.None => "stream: ids=encode(text)",
            _ => throw new InvalidOperationException($"unhandled BOS mode {Bos}"),
        };
        var cap = MaxWindows is { } max ? $" (first {max} kept)" : "";
        return $"{layout}; {Windows} non-overlapping windows of {SeqLen}{cap}; window scores its tokens 1..{SeqLen - 1}";
    }
}

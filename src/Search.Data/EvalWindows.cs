using Search.Model;

namespace Search.Data;

/// <summary>
/// Perplexity evaluation windows (docs/methods.md §5): non-overlapping windows of <see cref="SeqLen"/> ids cut from
/// the corpus stream, remainder dropped. Every window scores positions 1..SeqLen−1 (position 0 has no
/// context), so <see cref="ScoredTokens"/> = Count·(SeqLen−1) in every <see cref="BosMode"/>.
/// </summary>
public sealed class EvalWindows
{
    /// <summary>Row-major [Count, SeqLen] token ids, ready for an int64 tensor.</summary>
    public long[] Ids { get; }

    public int Count { get; }
    public int SeqLen { get; }
    public long ScoredTokens => (long)Count * (SeqLen - 1);
    public EvalProtocol Protocol { get; }

    private EvalWindows(long[] ids, int count, int seqLen, EvalProtocol protocol)
    {
        Ids = ids;
        Count = count;
        SeqLen = seqLen;
        Protocol = protocol;
    }

    /// <summary>The ids of window <paramref name="index"/>.</summary>
    public ReadOnlySpan<long> Window(int index) => Ids.AsSpan(checked(index * SeqLen), SeqLen);

    /// <param name="corpusIds">The encoded corpus, without BOS.</param>
    /// <param name="maxWindows">Keep only the first this many windows (a quicker, noisier estimate).</param>
    public static EvalWindows Build(
        ReadOnlySpan<int> corpusIds, int bosId, BosMode bos, int seqLen, int? maxWindows = null,
        string dataset = "", string split = "")
    {
        if (seqLen < 2) throw new UserInputException($"seqlen {seqLen} is too short: a window needs at least 2 tokens to score one");
        if (maxWindows is < 1) throw new UserInputException($"max windows {maxWindows} must be at least 1");

        var available = CountWindows(corpusIds.Length, bos, seqLen);
        if (available == 0)
            throw new UserInputException($"seqlen {seqLen} is longer than the corpus ({StreamLength(corpusIds.Length, bos)} tokens)");
        var count = maxWindows is { } max ? Math.Min(max, available) : available;

        var ids = new long[checked(count * seqLen)];
        for (var window = 0; window < count; window++)
            FillWindow(ids.AsSpan(window * seqLen, seqLen), corpusIds, bosId, bos, window);

        var protocol = new EvalProtocol(dataset, split, seqLen, bos, count, (long)count * (seqLen - 1), corpusIds.Length,
            maxWindows is not null && maxWindows < available ? maxWindows : null);
        return new EvalWindows(ids, count, seqLen, protocol);
    }

    /// <summary>How many full windows a corpus of <paramref name="corpusTokens"/> ids (without BOS) yields.</summary>
    public static int CountWindows(long corpusTokens, BosMode bos, int seqLen) => bos switch
    {
        BosMode.Corpus => checked((int)((corpusTokens + 1) / seqLen)),
        BosMode.Window => checked((int)(corpusTokens / (seqLen - 1))),
        BosMode.None => checked((int)(corpusTokens / seqLen)),
        _ => throw new ArgumentOutOfRangeException(nameof(bos), bos, null),
    };

    private static long StreamLength(long corpusTokens, BosMode bos) => bos == BosMode.Corpus ? corpusTokens + 1 : corpusTokens;

    private static void FillWindow(Span<long> destination, ReadOnlySpan<int> corpusIds, int bosId, BosMode bos, int window)
    {
        var seqLen = destination.Length;
        switch (bos)
        {
            case BosMode.Corpus:
                // Stream position p holds BOS at p = 0 and corpusIds[p − 1] after it.
                var start = window * seqLen;
                for (var i = 0; i < seqLen; i++)
                    destination[i] = start + i == 0 ? bosId : corpusIds[start + i - 1];
                break;
            case BosMode.Window:
                destination[0] = bosId;
                Copy(corpusIds.Slice(window * (seqLen - 1), seqLen - 1), destination[1..]);
                break;
            case BosMode.None:
                Copy(corpusIds.Slice(window * seqLen, seqLen), destination);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(bos), bos, null);
        }
    }

    private static void Copy(ReadOnlySpan<int> source, Span<long> destination)
    {
        for (var i = 0; i < source.Length; i++) destination[i] = source[i];
    }
}

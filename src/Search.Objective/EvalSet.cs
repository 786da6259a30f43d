namespace Search.Objective;

/// <summary>Fixed evaluation windows with the protocol they were cut with (row-major [Count, SeqLen] ids).</summary>
public sealed record EvalSet(string Dataset, string Split, long[] Ids, int Count, int SeqLen, string Bos)
{
    /// <summary>The first <paramref name="windows"/> windows (all when fewer exist).</summary>
    public EvalSet Take(int windows)
    {
        int n = Math.Clamp(windows, 1, Count);
        return this with { Ids = Ids[..(n * SeqLen)], Count = n };
    }

    /// <summary>The first windows scoring at least <paramref name="tokens"/> tokens (all when null or more than the split has).</summary>
    public EvalSet TakeTokens(long? tokens) =>
        tokens is long t ? Take((int)Math.Min(Count, (t + SeqLen - 2) / (SeqLen - 1))) : this;

    /// <summary>A contiguous range of windows, named as a part of the split.</summary>
    public EvalSet Range(int start, int count, string splitName) =>
        this with { Ids = Ids.AsSpan(start * SeqLen, count * SeqLen).ToArray(), Count = count, Split = splitName };

    public long ScoredTokens => (long)Count * (SeqLen - 1);
}

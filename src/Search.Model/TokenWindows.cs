namespace Search.Model;

/// <summary>
/// Token windows as the model runs them: <see cref="Ids"/> is row-major [<see cref="Count"/>, <see cref="SeqLen"/>].
/// What the pruning engine needs of a calibration set (a least-squares refit's inputs); the data library's
/// window sets (calibration pools, evaluation splits) carry these plus where they came from.
/// </summary>
public sealed record TokenWindows
{
    public TokenWindows(long[] ids, int count, int seqLen)
    {
        if (count < 0 || seqLen < 1 || ids.Length != (long)count * seqLen)
            throw new ArgumentException($"expected {count}×{seqLen} ids, got {ids.Length}");
        Ids = ids;
        Count = count;
        SeqLen = seqLen;
    }

    public long[] Ids { get; }
    public int Count { get; }
    public int SeqLen { get; }

    /// <summary>The first <paramref name="count"/> windows (all when there are fewer).</summary>
    public TokenWindows Take(int count)
    {
        int n = Math.Clamp(count, 0, Count);
        return n == Count ? this : new TokenWindows(Ids[..(n * SeqLen)], n, SeqLen);
    }
}

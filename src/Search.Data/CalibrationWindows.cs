namespace Search.Data;

/// <summary>
/// Calibration windows drawn from a token stream: <see cref="Ids"/> is row-major [Count, SeqLen];
/// <see cref="Offsets"/>[w] is where window w starts in the stream (windows may overlap or repeat, as in FLAP).
/// </summary>
public sealed record CalibrationWindows(long[] Ids, int Count, int SeqLen, int[] Offsets)
{
    /// <summary>The windows without their offsets, as the pruning engine takes them.</summary>
    public Search.Model.TokenWindows Tokens => new(Ids, Count, SeqLen);

    public ReadOnlySpan<long> Window(int index) => Ids.AsSpan(checked(index * SeqLen), SeqLen);

    /// <summary>The first <paramref name="count"/> windows (all when there are fewer).</summary>
    public CalibrationWindows Take(int count)
    {
        int n = Math.Clamp(count, 0, Count);
        return n == Count ? this : new CalibrationWindows(Ids[..(n * SeqLen)], n, SeqLen, Offsets[..n]);
    }
}

using Search.Model;

namespace Search.Data;

/// <summary>
/// Draws calibration windows at seeded random offsets (docs/methods.md §5). For window w in order:
/// <c>i = randint(0, T − seqLen − 1)</c>, window = <c>ids[i : i + seqLen]</c>, exactly as FLAP's
/// <c>get_wikitext2</c>/<c>get_c4</c> do — so the same seed and token stream give FLAP's windows.
/// Whether the stream starts with BOS is the caller's choice (FLAP's HF tokenizer call prepends one).
/// </summary>
public static class CalibrationSampler
{
    public static CalibrationWindows Sample(
        ReadOnlySpan<int> ids, int count, int seqLen, long seed, CalibrationSampling sampling = CalibrationSampling.Python)
    {
        if (count < 1) throw new UserInputException($"calibration window count {count} must be at least 1");
        if (seqLen < 1) throw new UserInputException($"calibration seqlen {seqLen} must be at least 1");
        // randint(0, T − seqLen − 1) needs T − seqLen − 1 ≥ 0.
        if (ids.Length <= seqLen)
            throw new UserInputException($"calibration seqlen {seqLen} needs a longer token stream (it has {ids.Length} tokens; need more than {seqLen})");

        var random = CreateRandom(seed, sampling);
        var offsets = new int[count];
        var windows = new long[checked(count * seqLen)];
        for (var w = 0; w < count; w++)
        {
            var start = (int)random.RandInt(0, ids.Length - seqLen - 1);
            offsets[w] = start;
            var destination = windows.AsSpan(w * seqLen, seqLen);
            var source = ids.Slice(start, seqLen);
            for (var i = 0; i < seqLen; i++) destination[i] = source[i];
        }
        return new CalibrationWindows(windows, count, seqLen, offsets);
    }

    private static PythonRandom CreateRandom(long seed, CalibrationSampling sampling) => sampling switch
    {
        CalibrationSampling.Python => new PythonRandom(seed),
        CalibrationSampling.Mt when seed is >= 0 and <= uint.MaxValue => new PythonRandom(MersenneTwister.FromSeed((uint)seed)),
        CalibrationSampling.Mt => throw new UserInputException($"seed {seed} does not fit the mt sampler (0..{uint.MaxValue})"),
        _ => throw new ArgumentOutOfRangeException(nameof(sampling), sampling, null),
    };
}

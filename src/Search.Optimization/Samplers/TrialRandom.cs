namespace Search.Optimization.Samplers;

/// <summary>
/// Random streams derived from (study seed, index, purpose) only, never from a sampler's mutable
/// state: trial k gets the same stream whether the study ran straight through or was resumed.
/// </summary>
public static class TrialRandom
{
    public static Random For(int seed, long index, string purpose) => new(DeriveSeed(seed, index, purpose));

    public static int DeriveSeed(int seed, long index, string purpose)
    {
        var state = SplitMix((ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ (ulong)index);
        foreach (var c in purpose) state = SplitMix(state ^ c);
        return (int)(state >> 33);
    }

    private static ulong SplitMix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}

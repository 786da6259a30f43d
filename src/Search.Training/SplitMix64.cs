namespace Search.Training;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood 2014): a tiny, fully specified PRNG. The embedded corpus and
/// batch order must be identical on every runtime and forever, and System.Random's algorithm is an
/// implementation detail that .NET has changed before, so we carry our own.
/// </summary>
public sealed class SplitMix64(ulong seed)
{
    private ulong state = seed;

    public ulong NextUInt64()
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, n). The modulo bias (&lt; n/2^64) is irrelevant here and keeps it exactly specified.</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "must be positive");
        return (int)(NextUInt64() % (ulong)n);
    }

    public bool Chance(double p) => NextDouble() < p;

    /// <summary>An independent stream for a named purpose, so adding draws to one stream never shifts another.</summary>
    public static SplitMix64 Stream(ulong seed, ulong stream) =>
        new(new SplitMix64(seed ^ (stream * 0xD1B54A32D192ED03UL)).NextUInt64());
}

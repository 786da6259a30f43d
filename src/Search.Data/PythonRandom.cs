namespace Search.Data;

/// <summary>
/// The parts of CPython's <c>random.Random</c> that calibration sampling uses, reproduced exactly
/// (CPython 3.2+ semantics, checked against 3.11): <c>seed(int)</c>, <c>getrandbits</c>, <c>randint</c>.
/// FLAP draws its calibration offsets with <c>random.seed(0); randint(0, T − seqlen − 1)</c>.
/// </summary>
public sealed class PythonRandom
{
    private readonly MersenneTwister _twister;

    /// <summary><c>random.seed(seed)</c>: init_by_array over abs(seed) split into 32-bit words, least significant first; 0 → [0].</summary>
    public PythonRandom(long seed)
    {
        var magnitude = seed == long.MinValue ? 1UL << 63 : (ulong)Math.Abs(seed);
        uint[] key = magnitude >> 32 == 0 ? [(uint)magnitude] : [(uint)magnitude, (uint)(magnitude >> 32)];
        _twister = MersenneTwister.FromKey(key);
    }

    /// <summary>Wraps an already-seeded generator (e.g. <see cref="MersenneTwister.FromSeed"/>) with Python's drawing rules.</summary>
    public PythonRandom(MersenneTwister twister) => _twister = twister;

    /// <summary><c>getrandbits(k)</c> for k ≤ 64: 32-bit words fill from the least significant end; the last word keeps its top bits.</summary>
    public ulong GetRandBits(int bits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, 64);
        ulong result = 0;
        for (var shift = 0; bits > 0; shift += 32, bits -= 32)
        {
            var word = _twister.NextUInt32();
            if (bits < 32) word >>= 32 - bits;
            result |= (ulong)word << shift;
        }
        return result;
    }

    /// <summary><c>_randbelow_with_getrandbits(n)</c>: rejection sampling on n.bit_length() bits, n ≥ 1.</summary>
    public ulong RandBelow(ulong n)
    {
        ArgumentOutOfRangeException.ThrowIfZero(n);
        var bits = 64 - System.Numerics.BitOperations.LeadingZeroCount(n);
        var r = GetRandBits(bits);
        while (r >= n) r = GetRandBits(bits);
        return r;
    }

    /// <summary><c>randint(a, b)</c>: uniform on [a, b] inclusive, via <c>randrange(a, b + 1)</c>.</summary>
    public long RandInt(long low, long high)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(low, high);
        return low + (long)RandBelow((ulong)(high - low) + 1);
    }
}

namespace Search.Data;

/// <summary>
/// MT19937 (Matsumoto &amp; Nishimura 1998), the generator behind CPython's <c>random</c> and C++'s
/// <c>std::mt19937</c>. Written out here because calibration offsets must match Python's bit for bit.
/// </summary>
public sealed class MersenneTwister
{
    private const int N = 624;
    private const int M = 397;
    private const uint MatrixA = 0x9908b0df;
    private const uint UpperMask = 0x80000000;
    private const uint LowerMask = 0x7fffffff;

    private readonly uint[] _state = new uint[N];
    private int _index = N + 1;

    private MersenneTwister() { }

    /// <summary>The reference <c>init_genrand(s)</c> seeding (as <c>std::mt19937(s)</c>).</summary>
    public static MersenneTwister FromSeed(uint seed)
    {
        var twister = new MersenneTwister();
        twister.InitGenrand(seed);
        return twister;
    }

    /// <summary>The reference <c>init_by_array(key)</c> seeding, which CPython's <c>random.seed(int)</c> uses.</summary>
    public static MersenneTwister FromKey(ReadOnlySpan<uint> key)
    {
        var twister = new MersenneTwister();
        twister.InitByArray(key);
        return twister;
    }

    /// <summary>The next 32 random bits (<c>genrand_uint32</c>).</summary>
    public uint NextUInt32()
    {
        if (_index >= N) Twist();
        var y = _state[_index++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >> 18;
        return y;
    }

    private void InitGenrand(uint seed)
    {
        _state[0] = seed;
        for (var i = 1; i < N; i++)
            _state[i] = 1812433253u * (_state[i - 1] ^ (_state[i - 1] >> 30)) + (uint)i;
        _index = N;
    }

    private void InitByArray(ReadOnlySpan<uint> key)
    {
        InitGenrand(19650218u);
        int i = 1, j = 0;
        for (var k = Math.Max(N, key.Length); k > 0; k--)
        {
            _state[i] = (_state[i] ^ ((_state[i - 1] ^ (_state[i - 1] >> 30)) * 1664525u)) + key[j] + (uint)j;
            i++;
            j++;
            if (i >= N) { _state[0] = _state[N - 1]; i = 1; }
            if (j >= key.Length) j = 0;
        }
        for (var k = N - 1; k > 0; k--)
        {
            _state[i] = (_state[i] ^ ((_state[i - 1] ^ (_state[i - 1] >> 30)) * 1566083941u)) - (uint)i;
            i++;
            if (i >= N) { _state[0] = _state[N - 1]; i = 1; }
        }
        _state[0] = 0x80000000u; // MSB is 1, assuring a non-zero initial state
        _index = N;
    }

    private void Twist()
    {
        for (var k = 0; k < N; k++)
        {
            var y = (_state[k] & UpperMask) | (_state[(k + 1) % N] & LowerMask);
            _state[k] = _state[(k + M) % N] ^ (y >> 1) ^ ((y & 1) != 0 ? MatrixA : 0u);
        }
        _index = 0;
    }
}

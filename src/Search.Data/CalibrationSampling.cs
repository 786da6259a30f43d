namespace Search.Data;

/// <summary>How calibration window offsets are drawn. Both use <see cref="MersenneTwister"/> and Python's randint rules.</summary>
public enum CalibrationSampling
{
    /// <summary>CPython exactly: <c>random.seed(seed)</c>, then <c>randint(0, T − seqLen − 1)</c> per window (FLAP's offsets).</summary>
    Python,

    /// <summary>
    /// The generator seeded the MT19937 reference way, <c>init_genrand(seed)</c> (the raw stream of
    /// <c>std::mt19937(seed)</c>), with the same randint rule. Seeds must fit in 32 unsigned bits.
    /// </summary>
    Mt,
}

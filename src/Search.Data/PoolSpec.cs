using System.Globalization;
using Search.Model;

namespace Search.Data;

/// <summary>
/// A calibration pool: <paramref name="Count"/> windows of <paramref name="SeqLen"/> tokens from
/// <paramref name="Source"/>'s <paramref name="Split"/>, drawn with <paramref name="Seed"/>.
/// CLI form and stable key: <c>source:split:COUNTxSEQLEN:seedS</c>, e.g. <c>tinystories:train:256x128:seed0</c>.
/// </summary>
public sealed record PoolSpec(string Source, string Split, int SeqLen, int Count, long Seed)
{
    public const string Format = "source:split:COUNTxSEQLEN:seedS";

    /// <summary>The canonical text form; <see cref="Parse"/> of it gives back an equal spec.</summary>
    public string Key => string.Create(CultureInfo.InvariantCulture, $"{Source}:{Split}:{Count}x{SeqLen}:seed{Seed}");

    public override string ToString() => Key;

    /// <summary>
    /// Parses the CLI form. The last three fields are fixed, so the source itself may contain ':'
    /// (a file path such as <c>C:\corpus.txt</c>).
    /// </summary>
    public static PoolSpec Parse(string text)
    {
        var fields = text.Split(':');
        if (fields.Length < 4) throw Malformed(text, $"expected 4 ':'-separated fields, got {fields.Length}");
        var source = string.Join(':', fields[..^3]);
        var (split, size, seedText) = (fields[^3], fields[^2], fields[^1]);
        if (source.Length == 0) throw Malformed(text, "source is empty");
        if (split.Length == 0) throw Malformed(text, "split is empty");

        var times = size.IndexOfAny(['x', 'X']);
        if (times < 0
            || !TryPositive(size[..times], out var count)
            || !TryPositive(size[(times + 1)..], out var seqLen))
            throw Malformed(text, $"size '{size}' must be COUNTxSEQLEN with positive integers, e.g. 256x128");

        if (!seedText.StartsWith("seed", StringComparison.OrdinalIgnoreCase)
            || !long.TryParse(seedText.AsSpan(4), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seed))
            throw Malformed(text, $"seed '{seedText}' must be seedN, e.g. seed0");
        // CPython's random.seed(S) seeds with |S|: seed-1 would draw seed1's windows under another name and cache key.
        if (seed < 0) throw Malformed(text, $"seed '{seedText}' must be 0 or more (random.seed uses |S|, so seed{seed} would repeat seed{-seed})");

        return new PoolSpec(source, split, seqLen, count, seed);
    }

    private static bool TryPositive(string text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0;

    private static UserInputException Malformed(string text, string why) =>
        new($"calibration pool '{text}': {why} (format {Format})");
}

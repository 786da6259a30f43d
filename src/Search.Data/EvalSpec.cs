using System.Globalization;
using Search.Model;

namespace Search.Data;

/// <summary>
/// An evaluation set: non-overlapping <paramref name="SeqLen"/>-token windows of <paramref name="Dataset"/>'s
/// <paramref name="Split"/>, optionally only the first <paramref name="MaxWindows"/>.
/// CLI form: <c>dataset:split:seqlen[:maxWindows]</c>, e.g. <c>tinystories:valid:128</c> or <c>wikitext2:test:128:64</c>.
/// </summary>
public sealed record EvalSpec(string Dataset, string Split, int SeqLen, int? MaxWindows)
{
    public const string Format = "dataset:split:seqlen[:maxWindows]";

    public string Key => string.Create(CultureInfo.InvariantCulture,
        $"{Dataset}:{Split}:{SeqLen}{(MaxWindows is int m ? $":{m}" : "")}");

    public override string ToString() => Key;

    /// <summary>
    /// Parses the CLI form from the right, so a dataset given as a path may contain ':'. Two trailing
    /// integers mean seqlen and maxWindows; one means seqlen.
    /// </summary>
    public static EvalSpec Parse(string text)
    {
        var fields = text.Split(':');
        if (fields.Length < 3) throw Malformed(text, $"expected at least 3 ':'-separated fields, got {fields.Length}");
        int? maxWindows = null;
        int last = fields.Length;
        if (fields.Length >= 4 && TryPositive(fields[^1], out var m) && TryPositive(fields[^2], out _))
        {
            maxWindows = m;
            last--;
        }
        var seqLenText = fields[last - 1];
        var split = fields[last - 2];
        var dataset = string.Join(':', fields[..(last - 2)]);
        if (dataset.Length == 0) throw Malformed(text, "dataset is empty");
        if (split.Length == 0) throw Malformed(text, "split is empty");
        if (!TryPositive(seqLenText, out var seqLen) || seqLen < 2)
            throw Malformed(text, $"seqlen '{seqLenText}' must be an integer of at least 2");
        return new EvalSpec(dataset, split, seqLen, maxWindows);
    }

    private static bool TryPositive(string text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0;

    private static UserInputException Malformed(string text, string why) =>
        new($"evaluation set '{text}': {why} (format {Format})");
}

namespace Search.Data;

/// <summary>Where evaluation puts the beginning-of-sequence token (docs/methods.md §5: an explicit, recorded option).</summary>
public enum BosMode
{
    /// <summary>One BOS at the very start of the corpus stream, then non-overlapping windows (FLAP, LLM-Pruner, reference_outputs.json).</summary>
    Corpus,

    /// <summary>Every window starts with BOS followed by the next seqLen−1 corpus ids.</summary>
    Window,

    /// <summary>No BOS anywhere: windows of corpus ids alone.</summary>
    None,
}

/// <summary>The spellings of <see cref="BosMode"/> (<c>--bos corpus|window|none</c>), parsed and printed in one place.</summary>
public static class BosModes
{
    public static BosMode Parse(string s) => s.Trim().ToLowerInvariant() switch
    {
        "corpus" => BosMode.Corpus,
        "window" => BosMode.Window,
        "none" => BosMode.None,
        _ => throw new Search.Model.UserInputException($"unknown value '{s}' (expected corpus, window or none)"),
    };

    public static string Name(BosMode mode) => mode.ToString().ToLowerInvariant();
}

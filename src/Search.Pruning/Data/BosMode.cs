namespace Search.Pruning.Data;

/// <summary>Where evaluation puts the beginning-of-sequence token (METHODS §5: an explicit, recorded option).</summary>
public enum BosMode
{
    /// <summary>One BOS at the very start of the corpus stream, then non-overlapping windows (FLAP, LLM-Pruner, reference_outputs.json).</summary>
    Corpus,

    /// <summary>Every window starts with BOS followed by the next seqLen−1 corpus ids.</summary>
    Window,

    /// <summary>No BOS anywhere: windows of corpus ids alone.</summary>
    None,
}

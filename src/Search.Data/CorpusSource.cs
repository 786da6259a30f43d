namespace Search.Data;

/// <summary>
/// Where an evaluation/calibration text comes from and how it is turned into the string that gets tokenized.
/// <paramref name="Dataset"/> and <paramref name="Split"/> are the canonical names recorded with results
/// (for a file given directly, the dataset is the path and the split is "file").
/// </summary>
public sealed record CorpusSource(string Dataset, string Split, string Path, TextPreparation Preparation)
{
    /// <summary>The exact text to tokenize.</summary>
    public string ReadText() => Preparation switch
    {
        TextPreparation.ByExtension => CorpusText.Read(Path),
        TextPreparation.TinyStories => CorpusText.RequireNonEmpty(Path, TinyStoriesText.Prepare(CorpusText.ReadVerbatim(Path))),
        _ => throw new InvalidOperationException($"unhandled text preparation {Preparation}"),
    };
}

namespace Search.Data;

/// <summary>How a corpus file becomes the text to tokenize.</summary>
public enum TextPreparation
{
    /// <summary><see cref="CorpusText.Read"/>: .txt verbatim, .jsonl/.parquet text fields joined with "\n\n".</summary>
    ByExtension,

    /// <summary><see cref="TinyStoriesText.Prepare"/>: stories split at &lt;|endoftext|&gt;, stripped, joined with "\n\n".</summary>
    TinyStories,
}

namespace Search.Data;

/// <summary>
/// The <c>tinystories</c> preset's text preparation (as ../shared/ASSETS.md, which ships with the shared
/// corpora, describes how the reference perplexities' text was prepared): stories separated by <c>&lt;|endoftext|&gt;</c> lines are split there, each stripped, empty
/// ones dropped, and joined with "\n\n". A file without the marker (train.txt, whose story boundaries are
/// lost) is used verbatim.
/// </summary>
public static class TinyStoriesText
{
    public const string EndOfTextMarker = "<|endoftext|>";

    public static string Prepare(string fileText)
    {
        if (!fileText.Contains(EndOfTextMarker, StringComparison.Ordinal)) return fileText;
        return string.Join(CorpusText.DocumentSeparator, Stories(fileText));
    }

    /// <summary>The stories of a file split at <c>&lt;|endoftext|&gt;</c>, each stripped, empty ones dropped, in file order.</summary>
    public static IEnumerable<string> Stories(string fileText) => fileText
        .Split(EndOfTextMarker, StringSplitOptions.None)
        .Select(PythonStrip)
        .Where(story => story.Length > 0);

    // Python's str.strip() also removes U+001C..U+001F, which .NET's char.IsWhiteSpace does not; the
    // reference text was made with Python, so strip exactly what it strips.
    private static string PythonStrip(string text) => text.Trim(PythonWhitespace);

    private static readonly char[] PythonWhitespace = Enumerable.Range(0, 0x10000)
        .Select(code => (char)code)
        .Where(c => char.IsWhiteSpace(c) || c is >= '\u001c' and <= '\u001f')
        .ToArray();
}

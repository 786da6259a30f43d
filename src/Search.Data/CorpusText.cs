using System.Text;
using Search.Model;

namespace Search.Data;

/// <summary>
/// Reads a corpus file into the exact text that gets tokenized, chosen by extension:
/// <c>.txt</c> verbatim, <c>.jsonl</c> and <c>.parquet</c> as their <c>text</c> field/column with
/// documents joined by <see cref="DocumentSeparator"/> (the reference perplexities' convention).
/// </summary>
public static class CorpusText
{
    /// <summary>Separator between documents of a multi-document corpus (docs/methods.md §5; ../shared/ASSETS.md for the reference texts).</summary>
    public const string DocumentSeparator = "\n\n";

    /// <summary>Extensions <see cref="Read"/> understands, lower-case, with the dot.</summary>
    public static IReadOnlyList<string> KnownExtensions { get; } = [".txt", ".jsonl", ".parquet"];

    // Strict decoding: a corpus that is not valid UTF-8 would otherwise be silently altered by U+FFFD.
    // No BOM stripping either: the text must be byte-for-byte what Python's open(encoding="utf-8") sees.
    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static bool HasKnownExtension(string path) =>
        KnownExtensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>Reads <paramref name="path"/> by its extension; throws <see cref="UserInputException"/> on any problem.</summary>
    public static string Read(string path)
    {
        RequireFile(path);
        var text = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".txt" => ReadVerbatim(path),
            ".jsonl" => JsonLinesText.Read(path),
            ".parquet" => ParquetText.Read(path),
            var other => throw new UserInputException(
                $"corpus file {path}: unsupported extension '{other}' (expected one of {string.Join(", ", KnownExtensions)})"),
        };
        return RequireNonEmpty(path, text);
    }

    /// <summary>The file's UTF-8 text exactly as stored: no line-ending normalization, no trimming.</summary>
    public static string ReadVerbatim(string path)
    {
        RequireFile(path);
        try
        {
            return StrictUtf8.GetString(File.ReadAllBytes(path));
        }
        catch (DecoderFallbackException e)
        {
            throw new UserInputException($"corpus file {path}: not valid UTF-8 ({e.Message})", e);
        }
    }

    internal static void RequireFile(string path)
    {
        if (!File.Exists(path))
            throw new UserInputException($"corpus file not found: {path}");
    }

    internal static string RequireNonEmpty(string path, string text) =>
        text.Length == 0 ? throw new UserInputException($"corpus file {path} is empty (no text to tokenize)") : text;
}

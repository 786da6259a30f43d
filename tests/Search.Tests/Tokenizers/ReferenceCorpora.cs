using System.Text.Json;

namespace Search.Tests.Tokenizers;

/// <summary>
/// The evaluation texts exactly as reference_outputs.json's perplexity protocol prepared them
/// (../shared/ASSETS.md, "How the reference perplexities' text was prepared").
/// </summary>
internal static class ReferenceCorpora
{
    /// <summary>Every data file the reference perplexities cover, keyed as in reference_outputs.json.</summary>
    public static readonly string[] Keys =
    [
        "tinystories/valid.txt",
        "tinystories/train.txt",
        "wikitext2-raw/test.txt",
        "wikitext2-raw/valid.txt",
        "ptb/test.txt",
        "ptb/valid.txt",
        "c4-sample/sample.jsonl",
    ];

    public static string Text(string key)
    {
        string path = SharedAssets.DataPath(key);
        switch (key)
        {
            case "tinystories/valid.txt":
                // Stories split at <|endoftext|>, each stripped, empty ones dropped, joined by a blank line.
                return string.Join(
                    "\n\n",
                    File.ReadAllText(path).Split("<|endoftext|>").Select(s => s.Trim()).Where(s => s.Length > 0));
            case "c4-sample/sample.jsonl":
                return string.Join(
                    "\n\n",
                    File.ReadLines(path)
                        .Where(line => line.Length > 0)
                        .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("text").GetString()!));
            default:
                return File.ReadAllText(path);
        }
    }
}

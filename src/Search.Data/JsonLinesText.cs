using System.Text.Json;
using Search.Model;

namespace Search.Data;

/// <summary>The <c>text</c> field of every line of a JSON-lines file, joined with "\n\n".</summary>
public static class JsonLinesText
{
    public static string Read(string path)
    {
        CorpusText.RequireFile(path);
        var documents = new List<string>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path, CorpusText.StrictUtf8))
        {
            lineNumber++;
            // A trailing newline or a stray blank line is not a document.
            if (string.IsNullOrWhiteSpace(line)) continue;
            documents.Add(ReadTextField(path, lineNumber, line));
        }
        return string.Join(CorpusText.DocumentSeparator, documents);
    }

    private static string ReadTextField(string path, int lineNumber, string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("text", out var text)
                || text.ValueKind != JsonValueKind.String)
                throw new UserInputException($"{path} line {lineNumber}: expected an object with a string field \"text\"");
            return text.GetString()!;
        }
        catch (JsonException e)
        {
            throw new UserInputException($"{path} line {lineNumber}: malformed JSON ({e.Message})", e);
        }
    }
}

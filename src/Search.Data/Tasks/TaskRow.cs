using System.Text.Json;
using System.Text.Json.Nodes;
using Search.Model;

namespace Search.Data.Tasks;

/// <summary>
/// One row of a task file (a JSON-lines object or a Parquet row converted to the same tree) with
/// typed field access that fails as one line naming the file, the row and the field.
/// </summary>
public sealed class TaskRow(string file, int row, JsonObject fields)
{
    public string File => file;

    /// <summary>1-based row (the line number of a .jsonl file, the row index + 1 of a .parquet file).</summary>
    public int Row => row;

    public UserInputException Error(string field, string problem) =>
        new($"{file} row {row}: field '{field}' {problem}");

    private JsonNode Node(string field, JsonObject? parent = null, string? path = null)
    {
        var owner = parent ?? fields;
        if (!owner.TryGetPropertyValue(field, out var node) || node is null)
            throw Error(path ?? field, "is missing");
        return node;
    }

    public string String(string field) => AsString(Node(field), field);

    /// <summary>An integer field; a string of digits (as HellaSwag's <c>label</c> is stored) is read as that number, like lm-eval's template-then-literal_eval.</summary>
    public int Int(string field) => AsInt(Node(field), field);

    public IReadOnlyList<string> Strings(string field) => AsStrings(Node(field), field);

    /// <summary>A list of strings inside a struct field, e.g. <c>choices.text</c>.</summary>
    public IReadOnlyList<string> Strings(string structField, string field)
    {
        var parent = Node(structField) as JsonObject ?? throw Error(structField, "is not an object");
        return AsStrings(Node(field, parent, $"{structField}.{field}"), $"{structField}.{field}");
    }

    private string AsString(JsonNode node, string field) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw Error(field, $"must be a string, got {Describe(node)}");

    private int AsInt(JsonNode node, string field)
    {
        if (node is JsonValue v)
        {
            if (v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var i)) return i;
            if (v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var l) && l is >= int.MinValue and <= int.MaxValue) return (int)l;
            if (v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue) return (int)d;
            if (v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is { Length: > 0 and < 10 } s && s.All(char.IsAsciiDigit)) return int.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
            if (v.GetValueKind() is JsonValueKind.True or JsonValueKind.False) return v.GetValue<bool>() ? 1 : 0;
        }
        throw Error(field, $"must be an integer label, got {Describe(node)}");
    }

    private IReadOnlyList<string> AsStrings(JsonNode node, string field)
    {
        if (node is not JsonArray array) throw Error(field, $"must be a list of strings, got {Describe(node)}");
        var list = new List<string>(array.Count);
        for (int i = 0; i < array.Count; i++)
            list.Add(array[i] is JsonValue v && v.GetValueKind() == JsonValueKind.String
                ? v.GetValue<string>()
                : throw Error($"{field}[{i}]", $"must be a string, got {Describe(array[i])}"));
        return list;
    }

    private static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonArray => "a list",
        JsonObject => "an object",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => $"the string \"{Shorten(v.GetValue<string>())}\"",
            JsonValueKind.Number => $"the number {v.ToJsonString()}",
            JsonValueKind.True or JsonValueKind.False => $"the boolean {v.ToJsonString()}",
            var k => k.ToString().ToLowerInvariant(),
        },
        _ => node.GetType().Name,
    };

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";
}

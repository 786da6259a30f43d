using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Search.Reporting.Tables;

namespace Search.Reporting.Data;

/// <summary>
/// <see cref="TrialRows"/> as CSV (RFC 4180, a header row; numbers round-trip, "R" format;
/// missing cells empty) or JSON (an array of objects with the same keys; missing cells null).
/// Non-finite numbers are NaN, Infinity, -Infinity in CSV and those strings in JSON (JSON has no
/// number for them).
/// </summary>
public static class TrialRowsText
{
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Csv(TrialRows t)
    {
        var sb = new StringBuilder();
        sb.Append(string.Join(",", t.Columns.Select(CsvTable.Quote))).Append('\n');
        foreach (var row in t.Rows)
            sb.Append(string.Join(",", t.Columns.Select(c => CsvTable.Quote(Text(row[c]))))).Append('\n');
        return sb.ToString();
    }

    public static string Json(TrialRows t) => Array(t).ToJsonString(Indented) + "\n";

    /// <summary>The rows as a JSON array (for embedding in another document).</summary>
    public static JsonArray Array(TrialRows t) => new(t.Rows.Select(r => (JsonNode?)Object(t.Columns, r)).ToArray());

    public static JsonObject Object(IReadOnlyList<string> columns, IReadOnlyDictionary<string, object?> row)
    {
        var o = new JsonObject();
        foreach (var c in columns) o[c] = Node(row[c]);
        return o;
    }

    private static JsonNode? Node(object? cell) => cell switch
    {
        null => null,
        double d when !double.IsFinite(d) => JsonValue.Create(Text(d)),
        double d => JsonValue.Create(d),
        long l => JsonValue.Create(l),
        string s => JsonValue.Create(s),
        _ => throw new ArgumentException($"unexpected cell type {cell.GetType().Name}"),
    };

    private static string Text(object? cell) => cell switch
    {
        null => "",
        double d when double.IsNaN(d) => "NaN",
        double d when double.IsPositiveInfinity(d) => "Infinity",
        double d when double.IsNegativeInfinity(d) => "-Infinity",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        string s => s,
        _ => throw new ArgumentException($"unexpected cell type {cell.GetType().Name}"),
    };
}

using System.Collections;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Parquet;
using Parquet.Serialization;
using Search.Model;

namespace Search.Data.Tasks;

/// <summary>A task file as read: its rows and the SHA-256 of its bytes (stored with every result).</summary>
public sealed record TaskFile(string Path, string Sha256, IReadOnlyList<TaskRow> Rows);

/// <summary>
/// Reads a task split in the Hugging Face dataset's own schema: JSON lines (one object per line, as
/// <c>Dataset.to_json</c> writes) or Parquet (the hub's <c>…-00000-of-0000N.parquet</c> shards, nested
/// struct and list columns included). Every row becomes a JSON tree so task definitions read both alike.
/// </summary>
public static class TaskRows
{
    public static TaskFile Read(string path)
    {
        if (!System.IO.File.Exists(path)) throw new UserInputException($"task file not found: {path}");
        var rows = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".jsonl" or ".json" => ReadJsonLines(path),
            ".parquet" => ReadParquet(path),
            var other => throw new UserInputException($"task file {path}: unsupported extension '{other}' (expected .jsonl or .parquet)"),
        };
        if (rows.Count == 0) throw new UserInputException($"task file {path}: no rows");
        return new TaskFile(Path.GetFullPath(path), Sha256Of(path), rows);
    }

    public static string Sha256Of(string path)
    {
        using var stream = System.IO.File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static List<TaskRow> ReadJsonLines(string path)
    {
        var rows = new List<TaskRow>();
        int line = 0;
        foreach (var text in System.IO.File.ReadLines(path, CorpusText.StrictUtf8))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            JsonNode? node;
            try { node = JsonNode.Parse(text); }
            catch (JsonException e) { throw new UserInputException($"{path} row {line}: malformed JSON ({e.Message})", e); }
            rows.Add(new TaskRow(path, line, node as JsonObject ?? throw new UserInputException($"{path} row {line}: expected a JSON object")));
        }
        return rows;
    }

    private static List<TaskRow> ReadParquet(string path)
    {
        DeserializationResult<Dictionary<string, object>> result;
        try
        {
            using var stream = System.IO.File.OpenRead(path);
            // The CLI is synchronous; Parquet.Net only offers async reads and there is no sync context to deadlock on.
            result = ParquetSerializer.DeserializeUntypedAsync(stream).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or ParquetException or InvalidOperationException or ArgumentException)
        {
            throw new UserInputException($"{path}: not a readable Parquet file ({e.Message})", e);
        }
        var rows = new List<TaskRow>(result.Data.Count);
        for (int i = 0; i < result.Data.Count; i++)
            rows.Add(new TaskRow(path, i + 1, (JsonObject)ToNode(result.Data[i])!));
        return rows;
    }

    /// <summary>Parquet.Net's untyped values (dictionaries for structs, lists for lists, CLR scalars) as a JSON tree.</summary>
    internal static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        ReadOnlyMemory<char> m => JsonValue.Create(m.ToString()),
        bool b => JsonValue.Create(b),
        IDictionary<string, object> d => new JsonObject(d.Select(kv => KeyValuePair.Create(kv.Key, ToNode(kv.Value)))),
        IDictionary d => new JsonObject(d.Keys.Cast<object>().Select(k => KeyValuePair.Create(k.ToString()!, ToNode(d[k])))),
        IEnumerable e and not byte[] => new JsonArray(e.Cast<object?>().Select(ToNode).ToArray()),
        sbyte or byte or short or ushort or int or uint or long => JsonValue.Create(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)),
        ulong u => JsonValue.Create(u),
        float f => JsonValue.Create((double)f),
        double d => JsonValue.Create(d),
        decimal m => JsonValue.Create(m),
        _ => JsonValue.Create(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)),
    };
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using Search.Optimization.Trials;

namespace Search.Optimization.Storage;

/// <summary>
/// Text columns holding JSON for the parts of a trial that are lists (params, scores, user attrs).
/// Arrays, not objects, because order is part of the data (params in declaration order) and jsonb
/// would reorder object keys; plain text, not jsonb, because jsonb rewrites numbers. Doubles that
/// JSON cannot spell (NaN, ±Infinity — a failed trial's score may be one) are written as strings.
/// The shapes match the LiteDB documents ({n,k,v} params, {k,v} attrs).
/// </summary>
internal static class JsonColumns
{
    public static string Params(IReadOnlyDictionary<string, ParamValue> parameters) => Write(w =>
    {
        w.WriteStartArray();
        foreach (var (name, value) in parameters)
        {
            w.WriteStartObject();
            w.WriteString("n", name);
            w.WriteString("k", value.Kind.ToString());
            w.WritePropertyName("v");
            switch (value.Kind)
            {
                case ParamValueKind.Real: WriteDouble(w, value.AsReal); break;
                case ParamValueKind.Integer: w.WriteNumberValue(value.AsInteger); break;
                case ParamValueKind.Text: w.WriteStringValue(value.AsText); break;
                default:
                    w.WriteStartArray();
                    foreach (var x in value.AsVector) WriteDouble(w, x);
                    w.WriteEndArray();
                    break;
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
    });

    public static IReadOnlyDictionary<string, ParamValue> ParamsFrom(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return ParamSet.Freeze(doc.RootElement.EnumerateArray().Select(item =>
        {
            var raw = item.GetProperty("v");
            var value = Enum.Parse<ParamValueKind>(item.GetProperty("k").GetString()!) switch
            {
                ParamValueKind.Real => ParamValue.Of(ReadDouble(raw)),
                ParamValueKind.Integer => ParamValue.Of(raw.GetInt64()),
                ParamValueKind.Text => ParamValue.Of(raw.GetString()!),
                _ => ParamValue.Of(raw.EnumerateArray().Select(ReadDouble).ToArray()),
            };
            return KeyValuePair.Create(item.GetProperty("n").GetString()!, value);
        }).ToList());
    }

    public static string Scores(IReadOnlyList<TrialScore> scores) => Write(w =>
    {
        w.WriteStartArray();
        foreach (var s in scores)
        {
            w.WriteStartObject();
            w.WriteString("name", s.Name);
            w.WritePropertyName("value");
            WriteDouble(w, s.Value);
            w.WriteString("split", s.Split);
            w.WriteNumber("tokens", s.Tokens);
            w.WriteNumber("seqlen", s.SeqLen);
            w.WriteString("bos", s.Bos);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    });

    public static IReadOnlyList<TrialScore> ScoresFrom(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.EnumerateArray().Select(s => new TrialScore(
            s.GetProperty("name").GetString()!, ReadDouble(s.GetProperty("value")), s.GetProperty("split").GetString()!,
            s.GetProperty("tokens").GetInt64(), s.GetProperty("seqlen").GetInt32(), s.GetProperty("bos").GetString()!)).ToArray();
    }

    public static string Attrs(IReadOnlyDictionary<string, string> attrs) => Write(w =>
    {
        w.WriteStartArray();
        foreach (var (key, value) in attrs)
        {
            w.WriteStartObject();
            w.WriteString("k", key);
            w.WriteString("v", value);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    });

    public static IReadOnlyDictionary<string, string> AttrsFrom(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.EnumerateArray()
            .ToDictionary(a => a.GetProperty("k").GetString()!, a => a.GetProperty("v").GetString()!, StringComparer.Ordinal);
    }

    private static void WriteDouble(Utf8JsonWriter w, double x)
    {
        if (double.IsFinite(x)) w.WriteNumberValue(x);
        else w.WriteStringValue(x.ToString(CultureInfo.InvariantCulture));
    }

    private static double ReadDouble(JsonElement e) =>
        e.ValueKind == JsonValueKind.String ? double.Parse(e.GetString()!, CultureInfo.InvariantCulture) : e.GetDouble();

    private static string Write(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        // Relaxed escaping keeps non-ASCII attr text readable in psql; JSON stays valid.
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            body(writer);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Search.Model.Checkpoints;

/// <summary>
/// Typed reads of one JSON object of a <c>config.json</c> (the root, or one <c>prunesearch_layers</c>
/// entry). A field that is absent or JSON <c>null</c> reads as null (HF writes <c>"rope_scaling": null</c>
/// and <c>"sliding_window": null</c>); a field of the wrong JSON type is a one-line
/// <see cref="UserInputException"/> naming the file, the field and what it holds — never a silent
/// default (<c>"max_position_embeddings": "2048"</c> must not quietly become 2048's default).
/// </summary>
internal sealed class ConfigFields(JsonObject obj, string path, string prefix = "")
{
    public bool Has(string name) => obj[name] is not null;

    public string? String(string name) => Value(name) switch
    {
        null => null,
        var v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        var v => throw Wrong(name, "a string", v),
    };

    public bool? Bool(string name) => Value(name) switch
    {
        null => null,
        var v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        var v => throw Wrong(name, "true or false", v),
    };

    /// <summary>A whole number that fits an int (<c>64</c> or <c>64.0</c>; not <c>64.5</c>, not <c>"64"</c>).</summary>
    public int? Int(string name)
    {
        var v = Value(name);
        if (v is null) return null;
        if (TryNumber(v, out double d) && d == Math.Floor(d) && d >= int.MinValue && d <= int.MaxValue)
            return (int)d;
        throw Wrong(name, "an integer", v);
    }

    /// <summary>A finite number.</summary>
    public double? Number(string name)
    {
        var v = Value(name);
        if (v is null) return null;
        if (TryNumber(v, out double d) && double.IsFinite(d)) return d;
        throw Wrong(name, "a number", v);
    }

    /// <summary>A finite number above zero (eps, rope theta: zero or less breaks the model silently).</summary>
    public double? PositiveNumber(string name) => Number(name) switch
    {
        null => null,
        > 0 and var d => d,
        var d => throw new UserInputException($"{path}: field '{prefix}{name}' must be positive, got {d!.Value.ToString("R", CultureInfo.InvariantCulture)}"),
    };

    /// <summary>
    /// A token id: an integer, or (HF's multi-EOS form, e.g. Llama 3) an array of integers. The array
    /// form reads as null: no single id describes it, which is how it has always been read.
    /// </summary>
    public int? TokenId(string name)
    {
        if (obj[name] is JsonArray array)
        {
            for (int i = 0; i < array.Count; i++)
                if (array[i] is not JsonValue item || !TryNumber(item, out double id) || id != Math.Floor(id) || id < 0 || id > int.MaxValue)
                    throw new UserInputException($"{path}: field '{prefix}{name}[{i}]' must be an integer, got {Describe(array[i])}");
            return null;
        }
        return Int(name);
    }

    /// <summary>A nested object, or null when absent/null; any other JSON type is an error.</summary>
    public JsonObject? Object(string name) => obj[name] switch
    {
        null => null,
        JsonObject o => o,
        var other => throw Wrong(name, "an object", other),
    };

    public JsonArray? Array(string name) => obj[name] switch
    {
        null => null,
        JsonArray a => a,
        var other => throw Wrong(name, "an array", other),
    };

    private JsonValue? Value(string name) => obj[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Null => null,
        JsonValue v => v,
        var other => throw Wrong(name, "a single value", other),
    };

    /// <summary>
    /// A number from a parsed file (element-backed: any numeric type converts) or from a node built
    /// in code (primitive-backed: only its own type converts, so try the ones <see cref="ModelConfigJson.ToJson"/> writes).
    /// </summary>
    private static bool TryNumber(JsonValue v, out double d)
    {
        d = 0;
        if (v.GetValueKind() != JsonValueKind.Number) return false;
        if (v.TryGetValue(out d)) return true;
        if (v.TryGetValue(out int i)) { d = i; return true; }
        if (v.TryGetValue(out long l)) { d = l; return true; }
        return false;
    }

    private UserInputException Wrong(string name, string expected, JsonNode? got) =>
        new($"{path}: field '{prefix}{name}' must be {expected}, got {Describe(got)}");

    /// <summary>What a node holds, as a user would recognise it in the file: <c>the string "abc"</c>, <c>the number 5</c>, <c>an array</c>.</summary>
    private static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "an array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => $"the string {Clip(v.ToJsonString())}",
            JsonValueKind.Number => $"the number {Clip(v.ToJsonString())}",
            JsonValueKind.True or JsonValueKind.False => v.ToJsonString(),
            _ => Clip(v.ToJsonString()),
        },
        _ => "an unknown value",
    };

    private static string Clip(string s) => s.Length <= 40 ? s : s[..37] + "...";
}

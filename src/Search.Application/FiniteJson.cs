using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Search.Application;

/// <summary>
/// JSON output for results that may not be numbers: NaN and ±infinity are written as <c>null</c>
/// (JSON has no such numbers, and System.Text.Json throws on them), and the command says why in an
/// <c>error</c> field and exits non-zero. A perplexity that is not finite is never printed as a result.
/// </summary>
public static class FiniteJson
{
    public static readonly JsonSerializerOptions Options = Create(null);

    public static JsonSerializerOptions Create(JsonNamingPolicy? naming)
    {
        var options = new JsonSerializerOptions { PropertyNamingPolicy = naming };
        options.Converters.Add(new FiniteOrNull());
        return options;
    }

    /// <summary>"NaN", "+infinity" or "-infinity" for the messages; null when <paramref name="value"/> is finite.</summary>
    public static string? NotFinite(double value) =>
        double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "+infinity" : double.IsNegativeInfinity(value) ? "-infinity" : null;

    /// <summary>A table cell: the value, or "not finite (NaN)" instead of a number-looking NaN.</summary>
    public static string Cell(double value, string format) =>
        NotFinite(value) is { } what ? $"not finite ({what})" : value.ToString(format, CultureInfo.InvariantCulture);

    private sealed class FiniteOrNull : JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value)) writer.WriteNumberValue(value);
            else writer.WriteNullValue();
        }
    }
}

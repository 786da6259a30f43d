using System.Text.Json;

namespace Search.Records;

/// <summary>The one JSON convention of trial attributes and the study's objective (snake_case).</summary>
public static class AttrJson
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T? Deserialize<T>(string? json) => json is null ? default : JsonSerializer.Deserialize<T>(json, Options);

    /// <summary>Like <see cref="Deserialize{T}"/> but null for text that is not this record (old or hand-written stores).</summary>
    public static T? TryDeserialize<T>(string? json) where T : class
    {
        try { return Deserialize<T>(json); }
        catch (JsonException) { return null; }
    }
}

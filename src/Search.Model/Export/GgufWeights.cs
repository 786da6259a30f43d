namespace Search.Model.Export;

/// <summary>
/// The weights of a GGUF that llama.cpp runs: f32 or f16 as <see cref="GgufWriter"/> writes them, or
/// a llama.cpp quantization of the f32 file (<see cref="GgufQuantization"/>).
/// </summary>
public sealed record GgufWeights(GgufFileType Type, GgufQuantization? Quantization = null)
{
    public static readonly GgufWeights F32 = new(GgufFileType.F32);
    public static readonly GgufWeights F16 = new(GgufFileType.F16);

    public const string Names = "f32, f16, " + GgufQuantization.Names;

    public string Name => Quantization?.Name ?? ExportFormats.Name(Type);

    public static GgufWeights Parse(string value, string flag) => value.Trim().ToLowerInvariant() switch
    {
        "f32" or "float32" => F32,
        "f16" or "float16" => F16,
        _ => GgufQuantization.All.FirstOrDefault(q => q.Name == value.Trim().ToLowerInvariant()) is { } q
            ? new GgufWeights(GgufFileType.F32, q)
            : throw new UserInputException($"{flag}: unknown GGUF weight type '{value}' (expected {Names})"),
    };

    public override string ToString() => Name;
}

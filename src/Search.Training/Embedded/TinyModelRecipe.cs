using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Search.Training.Embedded;

/// <summary>
/// Everything that determines the embedded model and corpus bit for bit. The cache folder is keyed
/// by <see cref="Hash"/>, so changing any value (or <see cref="Version"/>, for code changes in the
/// generator, tokenizer or trainer) makes <see cref="EmbeddedDefault.Ensure"/> build afresh.
/// </summary>
public sealed record TinyModelRecipe
{
    /// <summary>Bump when code (not values here) changes what a build produces.</summary>
    public const int Version = 1;

    public ulong Seed { get; init; } = 0x5EED_2025;
    public int TrainChars { get; init; } = 300_000;
    public int ValidChars { get; init; } = 60_000;
    public int TestChars { get; init; } = 60_000;

    // Shapes: 8 query heads over 4 KV heads so the GQA paths (repeat_interleave, KV-head pruning) run.
    public int HiddenSize { get; init; } = 64;
    public int NumLayers { get; init; } = 4;
    public int NumHeads { get; init; } = 8;
    public int NumKvHeads { get; init; } = 4;
    public int HeadDim { get; init; } = 8;
    /// <summary>≈ 2.7 × hidden, as LLaMA's 8/3 × d rounded to a multiple of 16.</summary>
    public int IntermediateSize { get; init; } = 176;

    public int SeqLen { get; init; } = 128;
    public int BatchSize { get; init; } = 12;
    public int Steps { get; init; } = 160;
    public int WarmupSteps { get; init; } = 20;
    public double PeakLearningRate { get; init; } = 3e-3;
    /// <summary>Cosine decay ends at this fraction of the peak.</summary>
    public double FinalLearningRateFraction { get; init; } = 0.1;
    public double WeightDecay { get; init; } = 0.01;
    public double GradClipNorm { get; init; } = 1.0;
    public double InitStd { get; init; } = 0.02;

    public static readonly TinyModelRecipe Default = new();

    /// <summary>Short hex digest of <see cref="Version"/> and every value above.</summary>
    public string Hash()
    {
        string json = JsonSerializer.Serialize(this);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"v{Version}:{json}")))[..12];
    }
}

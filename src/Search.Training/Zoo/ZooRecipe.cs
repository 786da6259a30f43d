using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Search.Model;

namespace Search.Training.Zoo;

/// <summary>
/// Everything that determines a zoo model bit for bit, next to the training data's content
/// (<see cref="ZooCorpus.Fingerprint"/>): the shape, the schedule, the init, the seed and the mixture. The cache
/// folder is keyed by <see cref="Hash"/>, so changing any value (or <see cref="Version"/>, for code
/// changes in the trainer or the sampler) trains afresh.
/// </summary>
public sealed record ZooRecipe
{
    /// <summary>Bump when code (not values here) changes what training produces.</summary>
    public const int Version = 1;

    public required string Name { get; init; }
    /// <summary>Which real family's proportions the shape follows (documentation only: not part of <see cref="Hash"/>).</summary>
    public required string Family { get; init; }

    public required int HiddenSize { get; init; }
    public required int NumLayers { get; init; }
    public required int NumHeads { get; init; }
    public required int NumKvHeads { get; init; }
    public required int HeadDim { get; init; }
    public required int IntermediateSize { get; init; }
    public required bool TiedEmbeddings { get; init; }

    /// <summary>AdamW, warmup + cosine; tokens seen = steps × batch × seqlen. The seqlen is also max_position_embeddings (llama2.c's max_seq_len).</summary>
    public required TrainingSchedule Schedule { get; init; }
    public double InitStd { get; init; } = 0.02;
    public ulong Seed { get; init; }

    public required IReadOnlyList<ZooSource> Mixture { get; init; }

    public ModelConfig Config(int vocabSize, int bosId, int? eosId) => LlamaTrainer.DenseConfig(HiddenSize, NumLayers, NumHeads,
        NumKvHeads, HeadDim, IntermediateSize, vocabSize, TiedEmbeddings, Schedule.SeqLen, bosId, eosId);

    /// <summary>Null when the recipe describes a trainable LLaMA model; else what is wrong, naming the field.</summary>
    public string? Problem() =>
        HiddenSize < 1 || NumLayers < 1 || NumHeads < 1 || NumKvHeads < 1 || HeadDim < 2 || IntermediateSize < 1
            ? $"zoo model {Name}: every width must be positive (head_dim at least 2)"
        : NumHeads % NumKvHeads != 0 ? $"zoo model {Name}: {NumHeads} heads are not a multiple of {NumKvHeads} KV heads"
        : HeadDim % 2 != 0 ? $"zoo model {Name}: head_dim {HeadDim} must be even (rotary pairs)"
        : Mixture.Count == 0 || Mixture.Any(s => !(s.Weight > 0)) ? $"zoo model {Name}: the mixture needs sources with positive weights"
        : Schedule.Problem() is { } p ? $"zoo model {Name}: {p}"
        : null;

    /// <summary>Short hex digest of <see cref="Version"/>, every value above but <see cref="Family"/>, and the training data's fingerprint.</summary>
    public string Hash(string dataFingerprint)
    {
        string json = JsonSerializer.Serialize(this with { Family = "" }); // rewording a description must not retrain
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"zoo v{Version}:{json}:{dataFingerprint}")))[..12];
    }
}

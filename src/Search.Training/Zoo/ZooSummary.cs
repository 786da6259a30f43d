using System.Text.Json;
using System.Text.Json.Serialization;

namespace Search.Training.Zoo;

/// <summary>One corpus of the mixture as it was used: its tokens (BOS included) and how many times training saw it over.</summary>
public sealed record MixtureUse(string Dataset, string Split, double Weight, long Tokens, double Epochs);

/// <summary>
/// A perplexity measured with the searches' evaluator and protocol (<c>prunesearch eval</c>'s defaults:
/// one BOS before the corpus, non-overlapping windows of <see cref="SeqLen"/>, positions 1..n−1 scored),
/// on the whole split and on its two halves by window (valid[search], valid[test]) as searches cut it.
/// </summary>
public sealed record EvalScore(string Dataset, string Split, int SeqLen, string Bos, int Windows, long ScoredTokens,
    double Loss, double Perplexity, double SearchHalfPerplexity, double TestHalfPerplexity);

/// <summary>
/// <c>training.json</c> beside a zoo model's weights: what was trained, on what, for how long, on which
/// machine, and how well it came out. Losses are mean next-token NLL in nats per tok512 token.
/// </summary>
public sealed record ZooSummary(
    string Name,
    string Family,
    string Hash,
    long Parameters,
    int HiddenSize,
    int Layers,
    int Heads,
    int KvHeads,
    int HeadDim,
    int IntermediateSize,
    double FfnRatio,
    bool TiedEmbeddings,
    int VocabSize,
    ulong Seed,
    int Steps,
    int BatchSize,
    int SeqLen,
    long TokensSeen,
    IReadOnlyList<MixtureUse> Mixture,
    double TrainSeconds,
    /// <summary>User + system CPU time of training (all threads): less load-dependent than <see cref="TrainSeconds"/>.</summary>
    double TrainCpuSeconds,
    double TokensPerSecond,
    double InitialLoss,
    /// <summary>Mean train loss of the last 10 steps (the sampled mixture, at the final learning rate).</summary>
    double FinalTrainLoss,
    /// <summary>TinyStories train scored with the evaluator after training: with <see cref="Valid"/>, the in-domain generalization gap.</summary>
    EvalScore TinyStoriesTrain,
    EvalScore Valid,
    /// <summary>TinyStories valid under add-one-smoothed TinyStories train token frequencies: the no-context yardstick.</summary>
    double UnigramPerplexity,
    string Machine,
    int Cores,
    double LoadAverageStart,
    double LoadAverageEnd,
    IReadOnlyList<LossPoint> Curve)
{
    public const string FileName = "training.json";

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static ZooSummary Read(string modelDir) =>
        JsonSerializer.Deserialize<ZooSummary>(File.ReadAllText(Path.Combine(modelDir, FileName)), Json)
        ?? throw new InvalidDataException($"{Path.Combine(modelDir, FileName)} is empty");

    public void Write(string modelDir) =>
        File.WriteAllText(Path.Combine(modelDir, FileName), JsonSerializer.Serialize(this, Json) + "\n");
}

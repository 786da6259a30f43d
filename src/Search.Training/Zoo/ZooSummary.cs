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
/// <param name="Hash">The cache folder's name, NAME-vVERSION-HASH (recipe and training data).</param>
/// <param name="TrainCpuSeconds">User + system CPU time of training (all threads): less load-dependent than <paramref name="TrainSeconds"/>.</param>
/// <param name="FinalTrainLoss">Mean train loss of the last 10 steps (the sampled mixture, at the final learning rate).</param>
/// <param name="TinyStoriesTrain">TinyStories train scored with the evaluator after training: with <paramref name="Valid"/>, the in-domain generalization gap.</param>
/// <param name="UnigramPerplexity">TinyStories valid under add-one-smoothed TinyStories-train token frequencies: the no-context yardstick.</param>
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
    double TrainCpuSeconds,
    double TokensPerSecond,
    double InitialLoss,
    double FinalTrainLoss,
    EvalScore TinyStoriesTrain,
    EvalScore Valid,
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

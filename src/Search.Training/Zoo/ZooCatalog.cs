using Search.Model;

namespace Search.Training.Zoo;

/// <summary>
/// The zoo: small LLaMA-family models whose shapes differ the way real families do (MHA and GQA, 4 to
/// 12 layers, narrow ≈2.7× and wide 4× FFNs, tied and untied embeddings, 0.3M to a few M parameters),
/// all on stories260K's tok512 vocabulary and one training mixture. Method and sampler development use
/// the whole zoo, never one model. Measured training costs and perplexities: results/zoo/README.md.
/// </summary>
public static class ZooCatalog
{
    /// <summary>
    /// Mostly TinyStories train (in-domain for the searches, ~100K tok512 tokens, so seen many times
    /// over), with the C4 sample and WikiText-2 valid as other English (~1.2M tokens), so the models
    /// have seen the corpora searches calibrate on and the larger ones do not only memorize the stories.
    /// Never TinyStories valid (searches score on it) nor WikiText-2 test (its reference split).
    /// </summary>
    public static readonly IReadOnlyList<ZooSource> Mixture =
    [
        new("tinystories", "train", 0.7),
        new("c4", "train", 0.2),
        new("wikitext2", "valid", 0.1),
    ];

    /// <summary>16 windows of 256 tokens per step, 100 warmup steps to 3e-3, cosine to 3e-4, weight decay 0.1, clip 1.</summary>
    private static TrainingSchedule Steps(int steps) => new(steps, BatchSize: 16, SeqLen: 256, WarmupSteps: 100,
        PeakLearningRate: 3e-3, FinalLearningRateFraction: 0.1, WeightDecay: 0.1, GradClipNorm: 1.0);

    /// <summary>Smallest first (what CI trains); steps sized so the whole zoo takes about an hour of CPU.</summary>
    public static readonly IReadOnlyList<ZooRecipe> All =
    [
        new()
        {
            Name = "tiny-mha", Family = "llama2.c-style MHA, tied (stories260K's scale)", HiddenSize = 64, NumLayers = 5, NumHeads = 4,
            NumKvHeads = 4, HeadDim = 16, IntermediateSize = 176, TiedEmbeddings = true, Schedule = Steps(500), Mixture = Mixture,
        },
        new()
        {
            Name = "small-gqa", Family = "Llama-3/Mistral-style GQA 4:1, wide FFN, untied", HiddenSize = 128, NumLayers = 4, NumHeads = 8,
            NumKvHeads = 2, HeadDim = 16, IntermediateSize = 512, TiedEmbeddings = false, Schedule = Steps(600), Mixture = Mixture,
        },
        new()
        {
            Name = "deep-gqa", Family = "MobileLLM/TinyLlama-style deep and narrow, GQA 3:1, tied", HiddenSize = 96, NumLayers = 12,
            NumHeads = 6, NumKvHeads = 2, HeadDim = 16, IntermediateSize = 256, TiedEmbeddings = true, Schedule = Steps(500), Mixture = Mixture,
        },
        new()
        {
            Name = "wide-mha", Family = "Llama-1/2-style MHA, wide FFN, untied", HiddenSize = 192, NumLayers = 6, NumHeads = 6,
            NumKvHeads = 6, HeadDim = 32, IntermediateSize = 768, TiedEmbeddings = false, Schedule = Steps(500), Mixture = Mixture,
        },
    ];

    public static IReadOnlyList<string> Names => All.Select(r => r.Name).ToList();

    /// <summary>The recipe named <paramref name="name"/>; one line naming the known ones otherwise.</summary>
    public static ZooRecipe Find(string name) =>
        All.FirstOrDefault(r => r.Name == name)
        ?? throw new UserInputException($"unknown zoo model '{name}' (known: {string.Join(", ", Names)})");
}

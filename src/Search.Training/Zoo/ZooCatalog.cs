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
    /// TinyStories train (in-domain, ~100K tokens: seen many times over) mixed with the C4 sample and
    /// WikiText-2 valid (~1.2M tokens of other English, so the larger models do not just memorize the
    /// stories). Never TinyStories valid (searches score on it) nor WikiText-2 test (its reference split).
    /// </summary>
    public static readonly IReadOnlyList<ZooSource> Mixture =
    [
        new("tinystories", "train", 0.6),
        new("c4", "train", 0.25),
        new("wikitext2", "valid", 0.15),
    ];

    public static readonly IReadOnlyList<ZooRecipe> All =
    [
        // The smallest, what CI trains: stories260K's scale, but MHA and tied like GPT-2-era / llama2.c models.
        new()
        {
            Name = "tiny-mha", Family = "llama2.c stories-style MHA, tied", HiddenSize = 64, NumLayers = 5, NumHeads = 4,
            NumKvHeads = 4, HeadDim = 16, IntermediateSize = 176, TiedEmbeddings = true, Steps = 1200, Mixture = Mixture,
        },
        // Llama-3 / Mistral proportions: GQA 4:1, wide SwiGLU (4×), untied.
        new()
        {
            Name = "small-gqa", Family = "Llama-3-style GQA 4:1, wide FFN, untied", HiddenSize = 128, NumLayers = 4, NumHeads = 8,
            NumKvHeads = 2, HeadDim = 16, IntermediateSize = 512, TiedEmbeddings = false, Steps = 1200, Mixture = Mixture,
        },
        // Deep and narrow like MobileLLM / TinyLlama: 12 layers, GQA 3:1, LLaMA's 8/3 FFN, tied.
        new()
        {
            Name = "deep-gqa", Family = "MobileLLM/TinyLlama-style deep-narrow GQA 3:1, tied", HiddenSize = 96, NumLayers = 12,
            NumHeads = 6, NumKvHeads = 2, HeadDim = 16, IntermediateSize = 256, TiedEmbeddings = true, Steps = 1200, Mixture = Mixture,
        },
        // Llama-1/2-7B proportions scaled down: MHA, 8/3-ish… here 4× FFN, untied, the largest.
        new()
        {
            Name = "wide-mha", Family = "Llama-2-style MHA, wide FFN, untied", HiddenSize = 192, NumLayers = 6, NumHeads = 6,
            NumKvHeads = 6, HeadDim = 32, IntermediateSize = 768, TiedEmbeddings = false, Steps = 1200, Mixture = Mixture,
        },
    ];

    public static IReadOnlyList<string> Names => All.Select(r => r.Name).ToList();

    /// <summary>The recipe named <paramref name="name"/>; one line naming the known ones otherwise.</summary>
    public static ZooRecipe Find(string name) =>
        All.FirstOrDefault(r => r.Name == name)
        ?? throw new UserInputException($"unknown zoo model '{name}' (known: {string.Join(", ", Names)})");
}

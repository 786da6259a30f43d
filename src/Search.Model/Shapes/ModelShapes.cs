namespace Search.Model.Shapes;

/// <summary>Shapes of the checkpoints PruneSearch is for, read off their published config.json files.</summary>
public static class ModelShapes
{
    public static readonly IReadOnlyList<ModelShape> All =
    [
        new("stories15m", "karpathy/tinyllamas stories15M", "llama", 288, 6, 6, 6, 768, 32000, true, 10000, 1e-5, 256, 1),
        new("stories110m", "karpathy/tinyllamas stories110M", "llama", 768, 12, 12, 12, 2048, 32000, true, 10000, 1e-5, 1024, 1),
        new("qwen2.5-0.5b", "Qwen/Qwen2.5-0.5B", "qwen2", 896, 24, 14, 2, 4864, 151936, true, 1000000, 1e-6, 32768, 1, QkvBias: true),
        new("tinyllama-1.1b", "TinyLlama/TinyLlama-1.1B-Chat-v1.0", "llama", 2048, 22, 32, 4, 5632, 32000, false, 10000, 1e-5, 2048, 1),
        new("llama3.2-1b", "meta-llama/Llama-3.2-1B", "llama", 2048, 16, 32, 8, 8192, 128256, true, 500000, 1e-5, 131072, 1, HeadDim: 64),
        new("llama-7b", "huggyllama/llama-7b", "llama", 4096, 32, 32, 32, 11008, 32000, false, 10000, 1e-6, 2048, 2),
        new("llama2-7b", "meta-llama/Llama-2-7b-hf", "llama", 4096, 32, 32, 32, 11008, 32000, false, 10000, 1e-5, 4096, 2),
        new("mistral-7b", "mistralai/Mistral-7B-v0.1", "mistral", 4096, 32, 32, 8, 14336, 32000, false, 10000, 1e-5, 32768, 2, SlidingWindow: 4096),
        new("llama3-8b", "meta-llama/Meta-Llama-3-8B", "llama", 4096, 32, 32, 8, 14336, 128256, false, 500000, 1e-5, 8192, 4),
        new("llama2-13b", "meta-llama/Llama-2-13b-hf", "llama", 5120, 40, 40, 40, 13824, 32000, false, 10000, 1e-5, 4096, 3),
        new("llama2-70b", "meta-llama/Llama-2-70b-hf", "llama", 8192, 80, 64, 8, 28672, 32000, false, 10000, 1e-5, 4096, 15),
    ];

    public static ModelShape Find(string name) =>
        All.FirstOrDefault(s => string.Equals(s.Name, name.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new UserInputException($"unknown shape '{name}' (known: {string.Join(", ", All.Select(s => s.Name))})");
}

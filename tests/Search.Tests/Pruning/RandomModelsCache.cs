using Search.Model;

namespace Search.Tests.Pruning;

/// <summary>A random model shared by argument-checking tests that never mutate or dispose it.</summary>
internal static class RandomModelsCache
{
    private static readonly Lazy<Transformer> LazyMha = new(() => RandomModels.Mha(seed: 42));
    public static Transformer Mha => LazyMha.Value;
}

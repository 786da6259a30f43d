using Search.Model;

namespace Search.Pruning.Allocation;

/// <summary>The FLAP spellings of <see cref="PruningStructure"/> ("UL-UM", "UL-MM", "AL-MM", "AL-AM").</summary>
public static class PruningStructureNames
{
    private static readonly IReadOnlyDictionary<string, PruningStructure> ByName =
        new Dictionary<string, PruningStructure>(StringComparer.OrdinalIgnoreCase)
        {
            ["UL-UM"] = PruningStructure.UniformLayersUniformModules,
            ["UL-MM"] = PruningStructure.UniformLayersManualModules,
            ["AL-MM"] = PruningStructure.AdaptiveLayersManualModules,
            ["AL-AM"] = PruningStructure.AdaptiveLayersAdaptiveModules,
        };

    public static PruningStructure Parse(string name) =>
        ByName.TryGetValue(name.Trim(), out var s)
            ? s
            : throw new UserInputException($"unknown pruning structure '{name}' (expected one of: {string.Join(", ", ByName.Keys)})");

    public static string Name(PruningStructure structure) => ByName.First(kv => kv.Value == structure).Key;
}

using Search.Model;

namespace Search.Pruning.Allocation;

/// <summary>
/// The spellings of <see cref="PruningStructure"/>: FLAP's ("UL-UM", "UL-MM", "AL-MM", "AL-AM") for the
/// published rules and the same with "-exact" for their exact-budget twins (parsing ignores case).
/// </summary>
public static class PruningStructureNames
{
    public const string ExactSuffix = "-exact";

    private static readonly IReadOnlyDictionary<string, PruningStructure> ByName =
        new Dictionary<string, PruningStructure>(StringComparer.OrdinalIgnoreCase)
        {
            ["UL-UM"] = PruningStructure.UniformLayersUniformModules,
            ["UL-MM"] = PruningStructure.UniformLayersManualModules,
            ["AL-MM"] = PruningStructure.AdaptiveLayersManualModules,
            ["AL-AM"] = PruningStructure.AdaptiveLayersAdaptiveModules,
            ["UL-UM" + ExactSuffix] = PruningStructure.UniformLayersUniformModulesExact,
            ["UL-MM" + ExactSuffix] = PruningStructure.UniformLayersManualModulesExact,
            ["AL-MM" + ExactSuffix] = PruningStructure.AdaptiveLayersManualModulesExact,
            ["AL-AM" + ExactSuffix] = PruningStructure.AdaptiveLayersAdaptiveModulesExact,
        };

    public static IEnumerable<string> Names => ByName.Keys;

    public static PruningStructure Parse(string name) =>
        ByName.TryGetValue(name.Trim(), out var s)
            ? s
            : throw new UserInputException($"unknown pruning structure '{name}' (expected one of: {string.Join(", ", ByName.Keys)})");

    public static string Name(PruningStructure structure) => ByName.First(kv => kv.Value == structure).Key;

    /// <summary>True for the twins that are repaired to the exact budget.</summary>
    public static bool IsExactBudget(PruningStructure structure) => structure >= PruningStructure.UniformLayersUniformModulesExact;

    /// <summary>The published rule a structure starts from (itself for the published ones).</summary>
    public static PruningStructure PublishedRule(PruningStructure structure) => structure switch
    {
        PruningStructure.UniformLayersUniformModulesExact => PruningStructure.UniformLayersUniformModules,
        PruningStructure.UniformLayersManualModulesExact => PruningStructure.UniformLayersManualModules,
        PruningStructure.AdaptiveLayersManualModulesExact => PruningStructure.AdaptiveLayersManualModules,
        PruningStructure.AdaptiveLayersAdaptiveModulesExact => PruningStructure.AdaptiveLayersAdaptiveModules,
        _ => structure,
    };
}

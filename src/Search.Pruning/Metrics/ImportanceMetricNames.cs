using Search.Model;

namespace Search.Pruning.Metrics;

/// <summary>The spellings users write in configs and search spaces, and what each metric needs.</summary>
public static class ImportanceMetricNames
{
    private static readonly IReadOnlyDictionary<string, ImportanceMetric> ByName =
        new Dictionary<string, ImportanceMetric>(StringComparer.OrdinalIgnoreCase)
        {
            ["ifv"] = ImportanceMetric.Ifv,
            ["wifv"] = ImportanceMetric.Wifv,
            ["wifn"] = ImportanceMetric.Wifn,
            ["wanda-sp"] = ImportanceMetric.WandaSp,
            ["magnitude-sp"] = ImportanceMetric.MagnitudeSp,
            // Search spaces name the mixture components without the suffix (search-spaces/README.md).
            ["wanda"] = ImportanceMetric.WandaSp,
            ["magnitude"] = ImportanceMetric.MagnitudeSp,
        };

    public static ImportanceMetric Parse(string name) =>
        ByName.TryGetValue(name.Trim(), out var m)
            ? m
            : throw new UserInputException($"unknown importance metric '{name}' (expected one of: {string.Join(", ", ByName.Keys)})");

    public static string Name(ImportanceMetric metric) => ByName.First(kv => kv.Value == metric).Key;

    /// <summary>True for metrics computed from calibration statistics.</summary>
    public static bool NeedsStatistics(ImportanceMetric metric) => metric != ImportanceMetric.MagnitudeSp;

    /// <summary>
    /// FLAP squares its metrics (IFV, WIFV, WIFN) on the attention channels before they are grouped:
    /// CASIA-IVA-Lab/FLAP lib/prune.py <c>prune_flap</c> takes <c>metrics[...](…) ** 2</c> for o_proj in every
    /// structure, and never for down_proj. Wanda-sp and magnitude-sp (<c>prune_wanda_sp</c>,
    /// <c>prune_magnitude_sp</c>) do not square.
    /// </summary>
    public static bool SquaresAttentionScores(ImportanceMetric metric) =>
        metric is ImportanceMetric.Ifv or ImportanceMetric.Wifv or ImportanceMetric.Wifn;
}

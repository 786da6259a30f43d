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

    /// <summary>Wanda-sp and magnitude-sp score a head by the sum of its channels, the others by the mean (docs/methods.md §2).</summary>
    public static bool SumsHeadChannels(ImportanceMetric metric) =>
        metric is ImportanceMetric.WandaSp or ImportanceMetric.MagnitudeSp;
}

using Search.Model;
using Search.Optimization.Trials;
using Search.Pruning.Pruning.Surgery;

namespace Search.Cli.Runner;

/// <summary>
/// What one trial asks for, decoded from a sampler's params (names and conventions in
/// search-spaces/README.md): calibration pool choice, metric mixture, allocation, compensation.
/// </summary>
public sealed record TrialConfig(
    string CalibrationSource,
    int CalibrationSamples,
    int CalibrationSeqLen,
    int CalibrationSeed,
    IReadOnlyList<KeyValuePair<string, double>> MetricMix,
    string Structure,
    Compensation Compensation,
    IReadOnlyList<double>? AttentionRatios,
    IReadOnlyList<double>? MlpRatios)
{
    /// <summary>Simplex component order when a space does not name it (search-spaces/README.md).</summary>
    public static readonly string[] DefaultMixComponents = ["wifv", "wifn", "ifv", "wanda", "magnitude"];

    public static TrialConfig FromParams(IReadOnlyDictionary<string, ParamValue> p, IReadOnlyList<string>? mixComponents = null)
    {
        string Text(string name) => Get(p, name).Kind == ParamValueKind.Text ? Get(p, name).AsText : Get(p, name).AsReal.ToString("R");
        int Int(string name) => (int)Math.Round(Get(p, name).AsReal);
        var components = mixComponents ?? DefaultMixComponents;
        var weights = Get(p, "metric_mix").AsVector;
        if (weights.Count != components.Count)
            throw new UserInputException($"metric_mix has {weights.Count} weights for {components.Count} components ({string.Join(", ", components)})");
        var mix = components.Zip(weights, (c, w) => KeyValuePair.Create(MetricName(c), w)).Where(kv => kv.Value > 0).ToList();
        string structure = Text("structure").ToLowerInvariant();
        var compensation = Text("compensation").ToLowerInvariant() switch
        {
            "bias" => Compensation.FlapBias,
            "none" => Compensation.None,
            var other => throw new UserInputException($"compensation '{other}' is not bias or none"),
        };
        IReadOnlyList<double>? Vector(string name) => p.TryGetValue(name, out var v) && v.Kind == ParamValueKind.Vector ? v.AsVector : null;
        return new TrialConfig(Text("calibration_source"), Int("calibration_samples"), Int("calibration_seqlen"), Int("calibration_seed"),
            mix, structure, compensation, Vector("attention_ratios"), Vector("mlp_ratios"));
    }

    /// <summary>Space component names → the pruning engine's metric names.</summary>
    private static string MetricName(string component) => component.ToLowerInvariant() switch
    {
        "wanda" => "wanda-sp",
        "magnitude" => "magnitude-sp",
        var other => other,
    };

    private static ParamValue Get(IReadOnlyDictionary<string, ParamValue> p, string name) =>
        p.TryGetValue(name, out var v) ? v : throw new UserInputException($"the search space has no '{name}' parameter, which the pruning objective needs");
}

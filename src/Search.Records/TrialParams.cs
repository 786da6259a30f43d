using System.Globalization;
using Search.Optimization.Spaces;
using Search.Optimization.Trials;

namespace Search.Records;

/// <summary>
/// A trial's stored params decoded once, by name (search-spaces/README.md): the calibration pool
/// choice, the metric mixture, the structure, per-layer ratios (and what an attention ratio removes)
/// and compensation. Missing fields are
/// null here; the objective asks for the ones it needs with <see cref="Required{T}"/>, reports show
/// what is there. Torch-free, so the writer (objective) and the reader (reports) decode alike.
/// </summary>
public sealed record TrialParams(
    string? CalibrationSource,
    int? CalibrationSamples,
    int? CalibrationSeqLen,
    int? CalibrationSeed,
    IReadOnlyList<KeyValuePair<string, double>> Mix,
    string? Structure,
    string? Compensation,
    IReadOnlyList<double>? AttentionRatios,
    IReadOnlyList<double>? MlpRatios,
    string? AttentionUnit = null)
{
    public const string MixName = "metric_mix";

    /// <summary>Simplex component order when a space does not name it (search-spaces/README.md).</summary>
    public static readonly IReadOnlyList<string> DefaultMixComponents = ["wifv", "wifn", "ifv", "wanda", "magnitude"];

    /// <summary>The names of a space's metric_mix weights (the default order when it has none).</summary>
    public static IReadOnlyList<string> MixComponentsOf(SearchSpace? space) =>
        space?.Dimensions.OfType<SimplexDimension>().FirstOrDefault(d => d.Name == MixName)?.Components ?? DefaultMixComponents;

    /// <summary>The metric_mix component names of a stored space JSON (the default order when it is unreadable or has none).</summary>
    public static IReadOnlyList<string> MixComponentsOf(string spaceJson)
    {
        try { return MixComponentsOf(SearchSpace.Parse(spaceJson)); }
        catch (Search.Optimization.OptimizationInputException) { return DefaultMixComponents; }
    }

    /// <summary>Decodes stored params; a metric_mix with a weight count other than the components' is an error.</summary>
    public static TrialParams Decode(IReadOnlyDictionary<string, ParamValue> p, IReadOnlyList<string> mixComponents)
    {
        string? Text(string name) => p.TryGetValue(name, out var v)
            ? v.Kind switch
            {
                ParamValueKind.Text => v.AsText,
                ParamValueKind.Vector => null,
                _ => v.AsReal.ToString("R", CultureInfo.InvariantCulture),
            }
            : null;
        int? Int(string name) => p.TryGetValue(name, out var v) && v.Kind is ParamValueKind.Integer or ParamValueKind.Real
            ? (int)Math.Round(v.AsReal)
            : null;
        IReadOnlyList<double>? Vector(string name) => p.TryGetValue(name, out var v) && v.Kind == ParamValueKind.Vector ? v.AsVector : null;
        var mix = new List<KeyValuePair<string, double>>();
        if (Vector(MixName) is { } weights)
        {
            if (weights.Count != mixComponents.Count)
                throw new RecordInputException(
                    $"{MixName} has {weights.Count} weights for {mixComponents.Count} components ({string.Join(", ", mixComponents)})");
            mix.AddRange(mixComponents.Zip(weights, KeyValuePair.Create));
        }
        return new TrialParams(Text("calibration_source"), Int("calibration_samples"), Int("calibration_seqlen"), Int("calibration_seed"),
            mix, Text("structure")?.ToLowerInvariant(), Text("compensation")?.ToLowerInvariant(), Vector("attention_ratios"), Vector("mlp_ratios"),
            Text("attention_unit")?.ToLowerInvariant());
    }

    /// <summary>A field the caller cannot do without, or a one-line error naming the missing parameter.</summary>
    public static T Required<T>(T? value, string name) where T : class =>
        value ?? throw new RecordInputException($"the search space has no '{name}' parameter, which the pruning objective needs");

    /// <inheritdoc cref="Required{T}(T, string)"/>
    public static T Required<T>(T? value, string name) where T : struct =>
        value ?? throw new RecordInputException($"the search space has no '{name}' parameter, which the pruning objective needs");

    /// <summary>The mixture's non-zero components.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> ActiveMix => Mix.Where(kv => kv.Value > 0).ToList();

    public string CalibrationText => CalibrationSource is null
        ? ""
        : $"{CalibrationSource} {CalibrationSamples}x{CalibrationSeqLen} seed {CalibrationSeed}";

    public string MixText => string.Join(" + ", ActiveMix.Select(kv => $"{kv.Value.ToString("0.00", CultureInfo.InvariantCulture)} {kv.Key}"));
}

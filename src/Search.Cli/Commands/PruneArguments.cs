using System.Globalization;
using System.Text.Json;
using Search.Model;
using Search.Pruning.Allocation;
using Search.Pruning.Metrics;
using Search.Pruning.Surgery;

namespace Search.Cli.Commands;

/// <summary>
/// Turns the <c>prune</c> command's text values into library types. Every rejection is a
/// <see cref="UserInputException"/> naming the flag, so the CLI prints one line and exits 2.
/// </summary>
public static class PruneArguments
{
    /// <summary>--metric NAME, or --mix NAME=W,NAME=W (weights normalized; their sum must be positive).</summary>
    public static MetricMixture Mixture(string? metric, string? mix)
    {
        if (metric is not null && mix is not null)
            throw new UserInputException("--metric and --mix are exclusive: a single metric is --mix NAME=1");
        if (mix is null) return MetricMixture.Single(ImportanceMetricNames.Parse(metric ?? "wifv"));
        var weights = new List<KeyValuePair<string, double>>();
        foreach (var part in mix.Split(',', StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0 || !double.TryParse(part[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var w))
                throw new UserInputException($"--mix: '{part}' is not NAME=WEIGHT (e.g. --mix wifv=0.7,wifn=0.3)");
            weights.Add(new(part[..eq].Trim(), w));
        }
        try
        {
            return MetricMixture.Create(weights);
        }
        catch (UserInputException e)
        {
            throw new UserInputException("--mix: " + e.Message);
        }
    }

    /// <summary>--structure with --ratio, or per-layer with --layer-ratios (which then must be given); --width-multiple.</summary>
    public static AllocationSpec Allocation(string structure, double ratio, string? layerRatiosFile, int widthMultiple = 1)
    {
        bool perLayer = string.Equals(structure.Trim(), AllocationSpec.PerLayerName, StringComparison.OrdinalIgnoreCase);
        if (perLayer && layerRatiosFile is null)
            throw new UserInputException("--structure per-layer needs --layer-ratios FILE");
        if (!perLayer && layerRatiosFile is not null)
            throw new UserInputException($"--layer-ratios needs --structure per-layer (got --structure {structure})");
        if (!perLayer) PruningRatio.Ensure(ratio, "--ratio");
        return AllocationSpec.Parse(structure, ratio, perLayer ? LayerRatiosFile(layerRatiosFile!) : null) with { WidthMultiple = widthMultiple };
    }

    /// <summary>JSON <c>{"attention":[r0, r1, …], "mlp":[r0, r1, …]}</c>, one removal fraction per layer.</summary>
    public static LayerRatios LayerRatiosFile(string path)
    {
        if (!File.Exists(path)) throw new UserInputException($"--layer-ratios: file not found: {path}");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new UserInputException($"--layer-ratios {path}: expected an object {{\"attention\":[...],\"mlp\":[...]}}");
            double[] Read(string name)
            {
                if (!doc.RootElement.TryGetProperty(name, out var array) || array.ValueKind != JsonValueKind.Array)
                    throw new UserInputException($"--layer-ratios {path}: '{name}' must be an array with one ratio per layer");
                return array.EnumerateArray().Select((e, i) => e.ValueKind == JsonValueKind.Number
                    ? e.GetDouble()
                    : throw new UserInputException($"--layer-ratios {path}: {name}[{i}] is not a number")).ToArray();
            }
            var attention = Read("attention");
            var mlp = Read("mlp");
            if (attention.Length != mlp.Length)
                throw new UserInputException($"--layer-ratios {path}: {attention.Length} attention ratios but {mlp.Length} MLP ratios");
            return new LayerRatios(attention, mlp);
        }
        catch (JsonException e)
        {
            throw new UserInputException($"--layer-ratios {path}: not valid JSON ({e.Message.Split('\n')[0]})");
        }
    }

    public static Compensation Compensation(string value)
    {
        try { return CompensationNames.Parse(value); }
        catch (UserInputException e) { throw new UserInputException("--compensation: " + e.Message); }
    }
}

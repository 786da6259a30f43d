using Search.Optimization.Storage;
using Search.Optimization.Trials;

namespace Search.Optimization.Spaces;

/// <summary>
/// A validated search space: ordered dimensions plus hand-set baselines. Loaded from JSON (see
/// <see cref="SearchSpaceParser"/>); layer_ratios dimensions must be bound to the model's layer
/// count (<see cref="BindLayerCount"/>) before sampling.
/// </summary>
public sealed class SearchSpace
{
    public SearchSpace(string name, IReadOnlyList<Dimension> dimensions, IReadOnlyList<BaselineConfig> baselines, string sourceJson)
    {
        Name = name;
        Dimensions = dimensions.ToArray();
        Baselines = baselines.ToArray();
        SourceJson = sourceJson;
    }

    public string Name { get; }
    public IReadOnlyList<Dimension> Dimensions { get; }
    public IReadOnlyList<BaselineConfig> Baselines { get; }

    /// <summary>The file text as loaded; the study record keeps it so a resumed study can be checked against it.</summary>
    public string SourceJson { get; }

    public bool HasLayerRatios => Dimensions.OfType<LayerRatiosDimension>().Any();

    /// <summary>Null while unbound or when the space has no per-layer dimension.</summary>
    public int? LayerCount => Dimensions.OfType<LayerRatiosDimension>().FirstOrDefault()?.LayerCount;

    public int EncodedWidth => Dimensions.Sum(d => d.EncodedWidth);

    public static SearchSpace Load(string path) => SearchSpaceParser.Parse(File.ReadAllText(path), path);

    public static SearchSpace Parse(string json, string sourceName = "<inline>") => SearchSpaceParser.Parse(json, sourceName);

    public SearchSpace BindLayerCount(int layerCount)
    {
        if (layerCount < 1) throw new OptimizationInputException($"space '{Name}': layer count must be positive, got {layerCount}");
        return new SearchSpace(Name, Dimensions.Select(d => d.BindLayerCount(layerCount)).ToArray(), Baselines, SourceJson);
    }

    /// <summary>Every layer_ratios dimension re-targeted to the study's global ratio (the CLI's --ratio).</summary>
    public SearchSpace WithLayerRatioTarget(double target) =>
        new(Name, Dimensions.Select(d => d is LayerRatiosDimension r ? r.WithTarget(target) : d).ToArray(), Baselines, SourceJson);

    public Dimension this[string name] =>
        Dimensions.FirstOrDefault(d => d.Name == name) ?? throw new KeyNotFoundException($"space '{Name}' has no dimension '{name}'");

    public IReadOnlyDictionary<string, ParamValue> Sample(Random rng) =>
        ParamSet.Freeze(Dimensions.Select(d => KeyValuePair.Create(d.Name, d.Sample(rng))));

    /// <summary>GP input for a param set, or null when some value lies outside the space.</summary>
    public double[]? TryEncode(IReadOnlyDictionary<string, ParamValue> parameters)
    {
        var encoded = new double[EncodedWidth];
        var offset = 0;
        foreach (var dimension in Dimensions)
        {
            if (!parameters.TryGetValue(dimension.Name, out var value)
                || !dimension.TryEncode(value, encoded.AsSpan(offset, dimension.EncodedWidth)))
                return null;
            offset += dimension.EncodedWidth;
        }
        return encoded;
    }

    /// <summary>Baselines as full param sets for this (bound) space, ready for <see cref="Study.Enqueue"/>.</summary>
    public IReadOnlyList<QueuedConfigDraft> BaselineDrafts() => Baselines.Select(b => new QueuedConfigDraft(b.Tag, MaterializeBaseline(b))).ToArray();

    public IReadOnlyDictionary<string, ParamValue> MaterializeBaseline(BaselineConfig baseline) =>
        ParamSet.Freeze(Dimensions.Select(d =>
        {
            var value = baseline.Params.TryGetValue(d.Name, out var given) ? given : d.DefaultForBaselines;
            if (d is LayerRatiosDimension ratios && value is { Kind: ParamValueKind.Real or ParamValueKind.Integer })
                value = ParamValue.Of(Enumerable.Repeat(value.AsReal, ratios.Layers).ToArray());
            if (d is LayerRatiosDimension bound && value is { Kind: ParamValueKind.Vector } && value.AsVector.Count != bound.Layers)
                throw new OptimizationInputException(
                    $"space '{Name}': baseline '{baseline.Tag}' gives {value.AsVector.Count} ratios for '{d.Name}' but the model has {bound.Layers} layers");
            return KeyValuePair.Create(d.Name, value ?? throw new OptimizationInputException(
                $"space '{Name}': baseline '{baseline.Tag}' has no value for '{d.Name}'"));
        }));
}

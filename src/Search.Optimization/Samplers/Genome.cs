using Search.Optimization.Spaces;
using Search.Optimization.Trials;

namespace Search.Optimization.Samplers;

/// <summary>
/// DarwinLM genome: one level-index array per layer_ratios dimension (module type), in the
/// space's dimension order. Value semantics so duplicates can be detected.
/// </summary>
public sealed class Genome : IEquatable<Genome>
{
    public Genome(IReadOnlyList<int[]> levelsPerModuleType) => LevelsPerModuleType = levelsPerModuleType.Select(l => l.ToArray()).ToArray();

    public IReadOnlyList<int[]> LevelsPerModuleType { get; }

    public static Genome AtTarget(IReadOnlyList<LayerRatiosDimension> dimensions) =>
        new(dimensions.Select(d => Enumerable.Repeat(d.TargetLevel, d.Layers).ToArray()).ToArray());

    /// <summary>Null when some param is missing or off the level grid.</summary>
    public static Genome? FromParams(IReadOnlyList<LayerRatiosDimension> dimensions, IReadOnlyDictionary<string, ParamValue> parameters)
    {
        var levels = new List<int[]>();
        foreach (var dimension in dimensions)
        {
            if (!parameters.TryGetValue(dimension.Name, out var value) || dimension.ToLevels(value) is not { } genomePart) return null;
            levels.Add(genomePart);
        }
        return new Genome(levels);
    }

    public IEnumerable<KeyValuePair<string, ParamValue>> ToParams(IReadOnlyList<LayerRatiosDimension> dimensions) =>
        dimensions.Select((d, i) => KeyValuePair.Create(d.Name, d.FromLevels(LevelsPerModuleType[i])));

    public Genome Copy() => new(LevelsPerModuleType);

    public bool Equals(Genome? other) =>
        other is not null && LevelsPerModuleType.Count == other.LevelsPerModuleType.Count
        && LevelsPerModuleType.Zip(other.LevelsPerModuleType).All(p => p.First.AsSpan().SequenceEqual(p.Second));

    public override bool Equals(object? obj) => Equals(obj as Genome);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var levels in LevelsPerModuleType) foreach (var level in levels) hash.Add(level);
        return hash.ToHashCode();
    }
}

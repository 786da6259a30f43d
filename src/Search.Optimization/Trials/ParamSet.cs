using System.Collections.ObjectModel;

namespace Search.Optimization.Trials;

/// <summary>
/// Helpers for a trial's parameters: an ordered (declaration order of the space), read-only
/// name → value map. Order matters for reports and for comparing two runs' param lists.
/// </summary>
public static class ParamSet
{
    public static readonly IReadOnlyDictionary<string, ParamValue> Empty = Freeze([]);

    public static IReadOnlyDictionary<string, ParamValue> Freeze(IEnumerable<KeyValuePair<string, ParamValue>> pairs)
    {
        var ordered = new OrderedDictionary<string, ParamValue>(StringComparer.Ordinal);
        foreach (var (name, value) in pairs) ordered.Add(name, value);
        return new ReadOnlyDictionary<string, ParamValue>(ordered);
    }

    /// <summary>Same names in the same order with equal values.</summary>
    public static bool SequenceEquals(IReadOnlyDictionary<string, ParamValue> a, IReadOnlyDictionary<string, ParamValue> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.Key == p.Second.Key && p.First.Value.Equals(p.Second.Value));

    public static string Describe(IReadOnlyDictionary<string, ParamValue> parameters) =>
        string.Join(" ", parameters.Select(p => $"{p.Key}={p.Value}"));
}

using Search.Optimization.Trials;

namespace Search.Optimization.Storage;

/// <summary>A fixed config waiting to be asked (hand-set baseline). <paramref name="Index"/> is its queue position.</summary>
public sealed record QueuedConfig(int Index, string Tag, IReadOnlyDictionary<string, ParamValue> Params);

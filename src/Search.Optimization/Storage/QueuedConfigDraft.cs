using Search.Optimization.Trials;

namespace Search.Optimization.Storage;

/// <summary>A fixed config to enqueue; the storage assigns its queue position.</summary>
public sealed record QueuedConfigDraft(string Tag, IReadOnlyDictionary<string, ParamValue> Params);

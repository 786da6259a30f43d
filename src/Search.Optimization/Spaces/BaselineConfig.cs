using Search.Optimization.Trials;

namespace Search.Optimization.Spaces;

/// <summary>
/// A hand-set config from the space file's <c>baselines</c> array (FLAP, Wanda-sp, magnitude…).
/// Values may lie outside the searched ranges (FLAP calibrates on 1024 samples) and may override
/// fixed values (structure "ul-um"); a layer_ratios value may be a single number meaning "this
/// ratio in every layer". Omitted fixed and layer_ratios dimensions take their defaults.
/// </summary>
public sealed record BaselineConfig(string Tag, string Description, IReadOnlyDictionary<string, ParamValue> Params);

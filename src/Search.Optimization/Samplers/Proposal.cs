using Search.Optimization.Trials;

namespace Search.Optimization.Samplers;

/// <summary>
/// What a sampler suggests for one trial: params, plus user attrs it needs to find again in the
/// history later (e.g. evolutionary generation/stage) or that tell the objective how to score
/// (<see cref="UserAttrKeys.FidelityTokens"/>).
/// </summary>
public sealed record Proposal(IReadOnlyDictionary<string, ParamValue> Params, IReadOnlyDictionary<string, string> UserAttrs)
{
    public static Proposal Of(IReadOnlyDictionary<string, ParamValue> parameters) =>
        new(parameters, new Dictionary<string, string>(StringComparer.Ordinal));
}

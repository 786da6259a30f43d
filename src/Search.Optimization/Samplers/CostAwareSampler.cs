using Search.Optimization.Trials;

namespace Search.Optimization.Samplers;

/// <summary>What a proposal is expected to cost, estimated from the stored history alone (so a resumed study prices exactly as an uninterrupted one).</summary>
public interface IProposalCost
{
    /// <summary>Expected seconds of evaluating a candidate next, or null when the history holds no timings yet.</summary>
    Func<IReadOnlyDictionary<string, ParamValue>, double>? For(IReadOnlyList<FrozenTrial> history);
}

/// <summary>
/// Hands <paramref name="inner"/> the cost of each candidate (<see cref="SamplingContext.Cost"/>) from
/// <paramref name="cost"/>; the sampler's name and everything else are the inner one's, so a study
/// record does not change. Samplers that ignore costs propose as before.
/// </summary>
public sealed class CostAwareSampler(ISampler inner, IProposalCost cost) : ISampler
{
    public string Name => inner.Name;

    public ISampler Inner => inner;

    public Proposal Propose(SamplingContext context) => inner.Propose(context with { Cost = cost.For(context.History) });
}

/// <summary>How samplers weigh improvement against cost.</summary>
public static class ProposalCosts
{
    /// <summary>
    /// EI per second: the improvement a candidate is expected to bring divided by the seconds it is
    /// expected to cost (Snoek et al. 2012), so a trial that first needs a dense pass over a new
    /// calibration pool must promise proportionally more. Without a cost, EI itself.
    /// </summary>
    public static Func<IReadOnlyDictionary<string, ParamValue>, double> PerSecond(
        Func<IReadOnlyDictionary<string, ParamValue>, double> ei, Func<IReadOnlyDictionary<string, ParamValue>, double>? cost) =>
        cost is null ? ei : candidate =>
        {
            double value = ei(candidate);
            return double.IsFinite(value) ? value / Math.Max(cost(candidate), 1e-9) : value;
        };
}

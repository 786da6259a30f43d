namespace Search.Optimization.Samplers;

public sealed class RandomSampler : ISampler
{
    public const string SamplerName = "random";

    public string Name => SamplerName;

    public Proposal Propose(SamplingContext context) =>
        Proposal.Of(context.Space.Sample(TrialRandom.For(context.Seed, context.TrialNumber, "random")));
}

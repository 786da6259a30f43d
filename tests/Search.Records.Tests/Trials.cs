using Search.Optimization.Trials;

namespace Search.Records.Tests;

/// <summary>Stored trials as the objective writes them: a proxy value, a plan, final scores for finalists, a baseline tag.</summary>
internal static class Trials
{
    public static FrozenTrial Searched(int number, double proxy, (double Search, double Test)? final = null) =>
        Complete(number, proxy, null, final, removedShare: 0.2);

    /// <param name="removedShare">The share of prunable parameters the plan removed (the target is 0.2).</param>
    public static FrozenTrial Baseline(int number, string tag, double proxy, (double Search, double Test)? final, double removedShare = 0.2,
        SeedSpread? spread = null) =>
        Complete(number, proxy, tag, final, removedShare, spread);

    public static FrozenTrial Failed(int number) =>
        new(number, TrialState.Failed, new Dictionary<string, ParamValue>(), null, [], new Dictionary<string, string>(), "perplexity is NaN",
            DateTime.UnixEpoch, DateTime.UnixEpoch, number, "test");

    private static FrozenTrial Complete(int number, double proxy, string? tag, (double Search, double Test)? final, double removedShare,
        SeedSpread? spread = null)
    {
        var attrs = new Dictionary<string, string>
        {
            [TrialAttrs.Plan] = AttrJson.Serialize(new PlanSummary("per-layer", 0.2, removedShare, 100_000, (long)(removedShare * 100_000),
                300_000, 300_000 - (long)(removedShare * 100_000), [], null)),
        };
        if (tag is not null) attrs[UserAttrKeys.Baseline] = tag;
        if (final is { } f) attrs[TrialAttrs.Final] = AttrJson.Serialize(new FinalScores(f.Search, "valid", 1000, f.Test, "test", 1000, 1.0));
        if (spread is not null) attrs[TrialAttrs.SeedSpread] = AttrJson.Serialize(spread);
        return new FrozenTrial(number, TrialState.Complete, new Dictionary<string, ParamValue>(), proxy,
            [new TrialScore("ppl", proxy, "valid", 512, 128, "corpus")], attrs, null, DateTime.UnixEpoch, DateTime.UnixEpoch, number, "test");
    }
}

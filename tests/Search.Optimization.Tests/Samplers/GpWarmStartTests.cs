using Search.Optimization.Samplers;
using Xunit.Abstractions;

namespace Search.Optimization.Tests.Samplers;

/// <summary>
/// The GP escapes <see cref="WarmStartTrap"/> where the old GP (baselines counted as its start-up)
/// stays trapped. What each ingredient is worth (20 seeds) is an experiment, not a test:
/// experiments/Search.SamplerBench (<c>warm-start-ablation</c>); numbers in src/Search.Optimization/README.md.
/// </summary>
public sealed class GpWarmStartTests(ITestOutputHelper output)
{
    private static readonly int[] Seeds = [.. Enumerable.Range(0, 10)];

    [Fact]
    public void Given_eight_baselines_in_a_bad_branch_When_the_gp_searches_Then_it_reaches_the_good_branch_where_the_old_gp_stays_trapped()
    {
        var robust = WarmStartTrap.Run(new GpSamplerSettings(), "gp (warm-start robust)", Seeds);
        var old = WarmStartTrap.Run(GpSamplerSettings.WarmStartSensitive, "gp (old: baselines count as start-up)", Seeds);
        output.WriteLine(robust.Line);
        output.WriteLine(old.Line);
        Assert.True(robust.Reached >= 7, $"robust gp reached the good branch in {robust.Reached}/{Seeds.Length} seeds");
        Assert.True(old.Reached <= 2, $"old gp reached it in {old.Reached}/{Seeds.Length} seeds; the test would not show the trap");
    }
}

using System.Diagnostics;
using Search.Model;
using Search.Data.Evaluation;
using Search.Pruning.Allocation;
using Search.Pruning.Metrics;
using Search.Pruning.Statistics;
using Search.Pruning.Surgery;
using Xunit.Abstractions;

namespace Search.Tests.Pruning;

/// <summary>
/// FLAP on stories260K: WIFV scores, AL-AM allocation, with and without bias compensation, calibrated
/// on TinyStories train and evaluated on TinyStories valid (see <see cref="Stories260KFixture"/>).
/// </summary>
[Collection(PruningCollection.Name)]
public sealed class CompensationPerplexityTests(ITestOutputHelper output)
{
    [SharedTheory]
    [InlineData(0.2)]
    [InlineData(0.5)]
    public void Given_WIFV_AL_AM_on_stories260K_When_compensating_with_FLAP_bias_Then_perplexity_is_lower_than_without(double ratio)
    {
        var model = Stories260KFixture.Model;
        int seqLen = Stories260KFixture.SeqLen;
        var stats = CalibrationStatistics.Collect(model, Stories260KFixture.Calibration, Stories260KFixture.CalibrationWindows, seqLen, 16)
            .AggregateAll();
        var plan = Allocator.Allocate(model, MetricMixture.Single(ImportanceMetric.Wifv).Score(model, stats),
            PruningStructure.AdaptiveLayersAdaptiveModules, ratio);
        double Ppl(Transformer m) => Math.Exp(Nll(m));
        double Nll(Transformer m)
        {
            var (sum, n) = PerplexityEvaluator.NllSum(m, Stories260KFixture.Eval, Stories260KFixture.EvalWindows, seqLen);
            return sum / n;
        }
        double dense = Ppl(model);
        using var none = Surgery.Apply(model, plan, stats, Compensation.None);
        using var flap = Surgery.Apply(model, plan, stats, Compensation.FlapBias);
        double pplNone = Ppl(none), pplFlap = Ppl(flap);
        output.WriteLine($"{plan}\ndense ppl {dense:F3}, no compensation {pplNone:F3}, FLAP bias {pplFlap:F3}");
        Assert.True(pplFlap < pplNone, $"FLAP bias {pplFlap:F3} vs none {pplNone:F3}");
        Assert.True(dense < pplFlap);
    }

    [SharedFact]
    public void Given_stories260K_When_running_one_trial_Then_the_stage_timings_are_reported()
    {
        var model = Stories260KFixture.Model;
        int seqLen = Stories260KFixture.SeqLen, windows = Stories260KFixture.CalibrationWindows;
        var sw = Stopwatch.StartNew();
        var pool = CalibrationStatistics.Collect(model, Stories260KFixture.Calibration, windows, seqLen, 16);
        double collect = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        var stats = pool.Aggregate(CalibrationLadder.Snap(windows / 2, windows));
        double aggregate = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        var plan = Allocator.Allocate(model, MetricMixture.Single(ImportanceMetric.Wifv).Score(model, stats),
            PruningStructure.AdaptiveLayersAdaptiveModules, 0.2);
        double scoreAndAllocate = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        using var pruned = Surgery.Apply(model, plan, stats, Compensation.FlapBias);
        double surgery = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        PerplexityEvaluator.NllSum(pruned, Stories260KFixture.Eval, Stories260KFixture.EvalWindows, seqLen);
        double eval = sw.Elapsed.TotalMilliseconds;
        output.WriteLine($"stories260K: stats {windows}×{seqLen} {collect:F0} ms; aggregate {windows / 2} windows {aggregate:F1} ms; " +
                         $"score+allocate {scoreAndAllocate:F1} ms; surgery {surgery:F1} ms; eval {Stories260KFixture.EvalWindows}×{seqLen} {eval:F0} ms");
    }
}

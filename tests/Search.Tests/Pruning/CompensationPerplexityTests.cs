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
/// Where a trial's time goes is a benchmark, not a test: experiments/Search.Bench (TrialTimeSplit).
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
}

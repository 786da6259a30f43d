using Search.Data.Evaluation;
using Search.Model;
using Search.Pruning.Allocation;
using Search.Pruning.Levels;
using Search.Pruning.Metrics;
using Search.Pruning.Pipeline;
using Search.Pruning.Statistics;
using Search.Pruning.Surgery;
using Search.Tests.Pruning;
using static TorchSharp.torch;

namespace Search.Tests.Levels;

/// <summary>
/// The level database's promise: an allocation assembled from it is the model the same config pruned
/// directly gives — same perplexity to float tolerance — for every compensation it holds, on MHA and GQA
/// shapes, with blocks removed whole and refits reused across candidates.
/// </summary>
[Collection(PruningCollection.Name)]
public sealed class LevelDatabaseTests
{
    private const int Count = 24, SeqLen = 12;

    public static TheoryData<string, string, Compensation, AttentionUnit> Cases() => new()
    {
        { "mha", "wifv", Compensation.None, AttentionUnit.KvGroup },
        { "mha", "wifv", Compensation.FlapBias, AttentionUnit.KvGroup },
        { "mha", "wanda", Compensation.LeastSquares, AttentionUnit.KvGroup },
        { "gqa", "ifv", Compensation.FlapBias, AttentionUnit.KvGroup },
        { "gqa", "wifv", Compensation.LeastSquares, AttentionUnit.KvGroup },
        { "gqa", "wifn", Compensation.LeastSquares, AttentionUnit.KvGroup },
        // Query heads inside the KV groups (the level search's query-head chains): heads removed from every group.
        { "gqa", "wifv", Compensation.FlapBias, AttentionUnit.QueryHead },
        { "gqa", "ifv", Compensation.LeastSquares, AttentionUnit.QueryHead },
    };

    private static Transformer Model(string shape) => shape == "mha" ? RandomModels.Mha() : RandomModels.GqaWithBiases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void An_allocation_assembled_from_the_database_scores_as_the_same_config_pruned_directly(string shape, string metric, Compensation compensation,
        AttentionUnit unit)
    {
        using var model = Model(shape);
        var ids = RandomModels.RandomWindows(model.Config.VocabSize, Count, SeqLen, seed: 5);
        var eval = RandomModels.RandomWindows(model.Config.VocabSize, 8, SeqLen, seed: 9);
        var stats = CalibrationStatistics.Collect(model, ids, Count, SeqLen, batchSize: 8).AggregateAll();
        var scores = MetricMixture.Single(ImportanceMetricNames.Parse(metric)).Score(model, stats);
        using var db = new LevelDatabase(model, scores, stats, compensation, unit, new TokenWindows(ids, Count, SeqLen));
        int layers = model.Config.NumLayers;
        var allocations = new[]
        {
            Uniform(layers, unit == AttentionUnit.QueryHead ? 0.5 : 0.25, 0.3),
            new LayerRatios(Enumerable.Range(0, layers).Select(l => l == 0 ? 1.0 : 0.0).ToArray(),
                            Enumerable.Range(0, layers).Select(l => l == layers - 1 ? 0.6 : 0.1).ToArray()),
            Uniform(layers, unit == AttentionUnit.QueryHead ? 0.5 : 0.25, 0.3), // again: every refit is now a cache hit
        };
        foreach (var ratios in allocations)
        {
            var plan = db.Plan(ratios, repairTo: 0.3);
            var recipe = new PruningRecipe(MetricMixture.Single(ImportanceMetricNames.Parse(metric)),
                AllocationSpec.ForLayerRatios(ratios).WithExactBudget(0.3) with { Unit = unit }, compensation);
            var direct = PrunePipeline.Plan(model, stats, recipe);
            Assert.Equal(direct.Layers.Select(l => l.KeptChannels.Length), plan.Layers.Select(l => l.KeptChannels.Length));
            Assert.Equal(direct.Layers.Select(l => l.KeptQueryHeads().Length), plan.Layers.Select(l => l.KeptQueryHeads().Length));
            if (unit == AttentionUnit.QueryHead && ratios.Attention[1] == 0.5)
                Assert.All(plan.Layers.Skip(1), l => Assert.True(l.KeptKvGroups.Length == l.KvGroupsBefore && l.KeptHeadsPerGroup == l.GroupSize / 2));
            using var fromDb = db.Assemble(plan);
            using var pruned = PrunePipeline.Pruned(model, direct, stats, recipe,
                new TokenWindows(ids, Count, SeqLen));
            double a = PerplexityEvaluator.NllSum(fromDb, eval, 8, SeqLen).Perplexity;
            double b = PerplexityEvaluator.NllSum(pruned, eval, 8, SeqLen).Perplexity;
            Assert.True(double.IsFinite(a));
            Assert.True(Math.Abs(a - b) <= 1e-5 * b, $"{shape} {metric} {compensation} {unit}: database {a:R} vs direct {b:R}");
        }
        if (compensation.Refits()) Assert.True(db.RefitsReused >= 2 * layers, $"reused {db.RefitsReused}");
    }

    [Fact]
    public void A_sequential_least_squares_context_holds_one_shot_refits()
    {
        using var model = RandomModels.GqaWithBiases();
        var ids = RandomModels.RandomWindows(model.Config.VocabSize, Count, SeqLen, seed: 5);
        var stats = CalibrationStatistics.Collect(model, ids, Count, SeqLen, batchSize: 8).AggregateAll();
        var scores = MetricMixture.Single(ImportanceMetric.Wifv).Score(model, stats);
        using var db = new LevelDatabase(model, scores, stats, Compensation.LeastSquaresSequential, AttentionUnit.KvGroup, new TokenWindows(ids, Count, SeqLen));
        Assert.Equal(Compensation.LeastSquares, db.Compensation);
        Assert.True(db.Bytes >= DenseGrams.BytesFor(model.Config));
    }

    private static LayerRatios Uniform(int layers, double attention, double mlp) =>
        new(Enumerable.Repeat(attention, layers).ToArray(), Enumerable.Repeat(mlp, layers).ToArray());
}

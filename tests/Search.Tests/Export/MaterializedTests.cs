using Search.Model;
using Search.Pruning.Allocation;
using Search.Pruning.Metrics;
using Search.Pruning.Statistics;
using Search.Pruning.Surgery;
using Search.Tests.Pruning;

namespace Search.Tests.Export;

/// <summary>
/// A pruned model had layer by layer (<see cref="PrunedLayers"/>), made whole for the writers and the
/// KV-cached decoder: the same function as the pruned Transformer surgery builds, and disposing it
/// leaves the dense model intact.
/// </summary>
[Collection(PruningCollection.Name)]
public sealed class MaterializedTests
{
    [Fact]
    public void Given_pruned_layers_When_materialized_Then_logits_equal_surgery_s_model_and_the_dense_model_survives_disposal()
    {
        var dense = EmbeddedModel.Model;
        var windows = EmbeddedModel.Windows(8, 64, seed: 41);
        var stats = CalibrationStatistics.Collect(dense, windows, 8, 64, batchSize: 8).AggregateAll();
        var plan = Allocator.Allocate(dense, MetricMixture.Single(ImportanceMetric.Wifv).Score(dense, stats),
            PruningStructure.AdaptiveLayersAdaptiveModules, 0.5);
        using var applied = Surgery.Apply(dense, plan, stats, Compensation.FlapBias);
        using var layers = new PrunedLayers(dense, plan, stats, Compensation.FlapBias);
        var ids = EmbeddedModel.Windows(2, 32, seed: 42);
        using (var whole = Materialized.Of(layers))
        {
            Assert.Equal(applied.Config.Layers, whole.Config.Layers);
            Assert.Equal(applied.ParameterCount(), whole.ParameterCount());
            Assert.Equal(0.0, Logits.MaxAbsDifference(applied, whole, ids, 2, 32));
        }
        using (var ready = Materialized.Of(layers, ready: true))
            Assert.Equal(0.0, Logits.MaxAbsDifference(applied, ready, ids, 2, 32));
        using var again = Materialized.Of(dense);
        Assert.Equal(0.0, Logits.MaxAbsDifference(dense, again, ids, 2, 32));
    }
}

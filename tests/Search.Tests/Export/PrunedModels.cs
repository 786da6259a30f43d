using Search.Model;
using Search.Pruning.Allocation;
using Search.Pruning.Metrics;
using Search.Pruning.Statistics;
using Search.Pruning.Surgery;
using Search.Tests.Pruning;

namespace Search.Tests.Export;

/// <summary>
/// Pruned models for the export and decoding tests, made with the real pruning engine: FLAP
/// (WIFV scores, AL-AM allocation, bias compensation) on calibration windows, optionally with whole
/// blocks removed on top (width 0), which AL-AM itself never does. The only file of this folder that
/// depends on the pruning engine's namespaces.
/// </summary>
internal static class PrunedModels
{
    /// <param name="dropAttention">Layer whose attention block loses every KV group.</param>
    /// <param name="dropMlp">Layer whose MLP block loses every channel.</param>
    /// <param name="uniform">UL-UM (every layer loses the same share) instead of AL-AM.</param>
    /// <param name="widthMultiple">AL-AM's exact-budget twin keeping multiples of this many MLP channels per layer (1: AL-AM as published).</param>
    public static Transformer Flap(Transformer dense, long[] calibration, int windows, int seqLen, double ratio,
        int? dropAttention = null, int? dropMlp = null, bool uniform = false, int widthMultiple = 1)
    {
        var ids = calibration.AsSpan(0, windows * seqLen).ToArray(); // the first `windows` windows
        var stats = CalibrationStatistics.Collect(dense, ids, windows, seqLen, batchSize: windows).AggregateAll();
        var scores = MetricMixture.Single(ImportanceMetric.Wifv).Score(dense, stats);
        var structure = uniform ? PruningStructure.UniformLayersUniformModules
            : widthMultiple > 1 ? PruningStructure.AdaptiveLayersAdaptiveModulesExact : PruningStructure.AdaptiveLayersAdaptiveModules;
        var plan = Allocator.Allocate(dense, scores, structure, ratio, widthMultiple: widthMultiple);
        var layers = plan.Layers.Select((lp, l) => lp with
        {
            KeptKvGroups = l == dropAttention ? [] : lp.KeptKvGroups,
            KeptChannels = l == dropMlp ? [] : lp.KeptChannels,
        }).ToList();
        return Surgery.Apply(dense, plan with { Layers = layers }, stats, Compensation.FlapBias);
    }

    /// <summary>
    /// The random GQA model with every optional bias (8 heads in 4 groups, 3 layers), pruned at 50%
    /// with layer 1's attention and layer 2's MLP removed: non-uniform widths, o/down biases and
    /// both kinds of empty block.
    /// </summary>
    public static Transformer RandomWithRemovedBlocks(Transformer dense, int seed = 5) =>
        Flap(dense, RandomModels.RandomWindows(dense.Config.VocabSize, 4, 16, seed), 4, 16, 0.5, dropAttention: 1, dropMlp: 2);
}

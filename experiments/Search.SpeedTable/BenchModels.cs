using Search.Model;
using Search.Model.Checkpoints;
using Search.Model.Tokenizers;
using Search.Pruning.Allocation;
using Search.Pruning.Metrics;
using Search.Pruning.Statistics;
using Search.Pruning.Surgery;

namespace Search.SpeedTable;

/// <summary>The models of the table and how they are pruned: FLAP (WIFV, AL-AM, bias compensation).</summary>
internal static class BenchModels
{
    /// <summary>TinyLlama-1.1B's shape with random weights (the speed of a shape does not depend on its values).</summary>
    public static ModelConfig TinyLlamaShape() =>
        RandomTransformer.DenseConfig(hidden: 2048, layers: 22, heads: 32, kvHeads: 4, intermediate: 5632, vocab: 32000);

    /// <summary>Builds and saves the random TinyLlama-shape checkpoint once (4.4 GB), then memory-maps it.</summary>
    public static Transformer TinyLlama(string cacheDir, string tokenizerDir, Action<string> log)
    {
        string dir = Path.Combine(cacheDir, "tinyllama-shape-random-seed0");
        if (!File.Exists(Path.Combine(dir, Checkpoint.SingleFile)) && !File.Exists(Path.Combine(dir, Checkpoint.IndexFile)))
        {
            log($"building the random TinyLlama-shape checkpoint into {dir}");
            using var model = RandomTransformer.Create(TinyLlamaShape(), seed: 0);
            Checkpoint.Save(model, dir, tokenizerDir, maxShardBytes: 8L << 30);
        }
        return Checkpoint.Load(dir);
    }

    /// <summary>Calibration windows [count, seqLen]: from text when given, else uniform random ids.</summary>
    public static long[] Calibration(int vocab, int count, int seqLen, string? modelDir, string? textFile)
    {
        var rng = new Random(0);
        if (modelDir is null || textFile is null)
            return Enumerable.Range(0, count * seqLen).Select(_ => (long)rng.Next(3, vocab)).ToArray();
        var tokenizer = TokenizerLoader.Load(modelDir);
        var ids = tokenizer.Encode(File.ReadAllText(textFile)).Select(i => (long)i).ToArray();
        var windows = new long[count * seqLen];
        for (int w = 0; w < count; w++)
            Array.Copy(ids, rng.Next(0, ids.Length - seqLen), windows, w * seqLen, seqLen);
        return windows;
    }

    public static Transformer Prune(Transformer dense, long[] calibration, int count, int seqLen, double ratio)
    {
        var stats = CalibrationStatistics.Collect(dense, calibration, count, seqLen, batchSize: Math.Min(count, 4)).AggregateAll();
        var scores = MetricMixture.Single(ImportanceMetric.Wifv).Score(dense, stats);
        var plan = Allocator.Allocate(dense, scores, PruningStructure.AdaptiveLayersAdaptiveModules, ratio);
        return Surgery.Apply(dense, plan, stats, Compensation.FlapBias);
    }
}

using Search.Model;
using Search.Model.Checkpoints;
using Search.Model.Tokenizers;
using Search.Pruning.Allocation;
using Search.Pruning.Metrics;
using Search.Pruning.Statistics;
using Search.Pruning.Surgery;
using Search.Data;
using Search.Objective;
using Search.Optimization.Spaces;
using Search.Optimization.Storage;
using Search.Reporting;

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

    public static Transformer Prune(Transformer dense, long[] calibration, int count, int seqLen, double ratio) =>
        Prune(dense, Statistics(dense, calibration, count, seqLen), ratio);

    public static ChannelStats Statistics(Transformer dense, long[] calibration, int count, int seqLen) =>
        CalibrationStatistics.Collect(dense, calibration, count, seqLen, batchSize: Math.Min(count, 4)).AggregateAll();

    /// <summary>FLAP WIFV + bias: AL-AM as published, or (<paramref name="widthMultiple"/> &gt; 1) its exact-budget twin keeping multiples of N channels.</summary>
    public static Transformer Prune(Transformer dense, ChannelStats stats, double ratio, int widthMultiple = 1)
    {
        var scores = MetricMixture.Single(ImportanceMetric.Wifv).Score(dense, stats);
        var structure = widthMultiple > 1 ? PruningStructure.AdaptiveLayersAdaptiveModulesExact : PruningStructure.AdaptiveLayersAdaptiveModules;
        var plan = Allocator.Allocate(dense, scores, structure, ratio, widthMultiple: widthMultiple);
        return Surgery.Apply(dense, plan, stats, Compensation.FlapBias);
    }

    /// <summary>
    /// The best searched trial (on the search split) of a committed study, rebuilt from its stored params on
    /// <paramref name="dense"/> exactly as <c>prunesearch export</c> does; the trial's model and the setup it needs are disposed together.
    /// </summary>
    public static bool HasStudy(string studyDb, string study)
    {
        if (!File.Exists(studyDb)) return false;
        using var storage = StorageLocator.Open(studyDb, readOnly: true);
        return storage.GetTrials(study).Count > 0;
    }

    public static (IDecoderLayers Model, IDisposable Owner, int Trial) Searched(string studyDb, string study, LoadedModel dense, string dataDir)
    {
        StudyData data;
        using (var storage = StorageLocator.Open(studyDb, readOnly: true)) data = StudyData.Load(storage, study, studyDb);
        if (data.Record.ModelHash != dense.Hash) throw new InvalidOperationException($"{studyDb} {study}: made on another model ({data.Record.ModelHash})");
        var best = new StudySummary(data).BestSearched ?? throw new InvalidOperationException($"{study}: no searched trial with final scores");
        var setup = SearchSetup.Create(dense, data.Objective!, dataDir, SearchSpace.Parse(data.Record.SpaceJson), null);
        var pruned = setup.Runner.Build(best.Trial.Params, out _);
        return (pruned, new Owners(pruned, setup), best.DisplayNumber);
    }

    private sealed class Owners(params IDisposable[] owned) : IDisposable
    {
        public void Dispose()
        {
            foreach (var o in owned) o.Dispose();
        }
    }
}

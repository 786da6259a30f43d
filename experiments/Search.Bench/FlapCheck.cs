using System.Text.Json;
using System.Text.Json.Nodes;
using Search.Model;
using Search.Model.Checkpoints;
using Search.Model.Tokenizers;
using Search.Data;
using Search.Data.Evaluation;
using Search.Pruning.Allocation;
using Search.Pruning.Metrics;
using Search.Pruning.Pipeline;
using Search.Pruning.Statistics;
using Search.Pruning.Surgery;

namespace Search.Bench;

/// <summary>
/// PruneSearch's side of experiments/independent-check: dense ppl and 7 methods × {20%, 50%} on
/// stories260K with the protocol fixed in flap_numpy.py (calibration 128×128 tinystories train, one
/// BOS, Python seed 0; evaluation first 128 non-overlapping 128-token windows of tinystories valid,
/// one corpus BOS), each under FLAP's published rule and its exact-budget twin ("-exact", ours only).
/// Statistics pooled, or FLAP's running update with "flap-exact". Prints JSON.
/// </summary>
public static class FlapCheck
{
    private const int Seq = 128, CalWindows = 128, EvalWindowCount = 128, Seed = 0;

    private static readonly (string Name, ImportanceMetric Metric, PruningStructure Structure, Compensation Bias)[] Methods =
    [
        ("flap-wifv-alam", ImportanceMetric.Wifv, PruningStructure.AdaptiveLayersAdaptiveModules, Compensation.FlapBias),
        ("flap-wifv-ulum", ImportanceMetric.Wifv, PruningStructure.UniformLayersUniformModules, Compensation.FlapBias),
        ("wanda-sp", ImportanceMetric.WandaSp, PruningStructure.UniformLayersUniformModules, Compensation.None),
        ("magnitude-sp", ImportanceMetric.MagnitudeSp, PruningStructure.UniformLayersUniformModules, Compensation.None),
        ("flap-ifv-alam", ImportanceMetric.Ifv, PruningStructure.AdaptiveLayersAdaptiveModules, Compensation.FlapBias),
        ("flap-wifn-alam", ImportanceMetric.Wifn, PruningStructure.AdaptiveLayersAdaptiveModules, Compensation.FlapBias),
        ("flap-wifv-alam-nobias", ImportanceMetric.Wifv, PruningStructure.AdaptiveLayersAdaptiveModules, Compensation.None),
    ];

    public static int Run(string? shared, string statsMode = "pooled")
    {
        var mode = StatisticsModeNames.Parse(statsMode);
        if (shared is null)
        {
            Console.Error.WriteLine("flap-check needs shared/ (models/stories260K and data/tinystories)");
            return 2;
        }
        string modelDir = Path.Combine(shared, "models", "stories260K");
        using var model = Checkpoint.Load(modelDir);
        var tokenizer = TokenizerLoader.Load(modelDir);
        var catalog = new DatasetCatalog(Path.Combine(shared, "data"));

        // Calibration: train.txt verbatim, [BOS] + ids, Python-random offsets.
        var trainIds = CorpusTokens.Load(catalog.Resolve("tinystories", "train"), tokenizer, null);
        var stream = new int[trainIds.Length + 1];
        stream[0] = tokenizer.BosId;
        trainIds.CopyTo(stream, 1);
        var cal = CalibrationSampler.Sample(stream, CalWindows, Seq, Seed);
        var eval = CorpusTokens.EvalWindowsOf(catalog.Resolve("tinystories", "valid"), tokenizer, null, BosMode.Corpus, Seq, EvalWindowCount);

        double Ppl(Transformer m) => PerplexityEvaluator.NllSum(m, eval.Ids, eval.Count, Seq).Perplexity;

        var stats = CalibrationStatistics.Collect(model, cal.Ids, cal.Count, Seq, batchSize: 16).AggregateAll(mode);
        var results = new JsonObject();
        var twins = Methods.SelectMany(m => new[]
        {
            m, (m.Name + PruningStructureNames.ExactSuffix, m.Metric, ExactTwin(m.Structure), m.Bias),
        });
        foreach (var (name, metric, structure, bias) in twins)
        {
            foreach (double p in new[] { 0.2, 0.5 })
            {
                var recipe = new PruningRecipe(MetricMixture.Single(metric), AllocationSpec.ForStructure(structure, p), bias);
                var plan = PrunePipeline.Plan(model, stats, recipe);
                using var pruned = PrunePipeline.Prune(model, plan, stats, recipe);
                results[$"{name}@{(int)Math.Round(p * 100)}"] = new JsonObject
                {
                    ["ppl"] = Ppl(pruned),
                    ["structure"] = plan.Structure,
                    ["achieved"] = plan.AchievedRatio,
                    ["removed_params"] = plan.RemovedParams,
                    ["prunable_params"] = plan.PrunableParams,
                    ["kept"] = new JsonArray(plan.Layers.Select(l => (JsonNode)new JsonArray(l.KeptKvGroups.Length, l.KeptChannels.Length)).ToArray()),
                    ["kept_groups"] = new JsonArray(plan.Layers.Select(l => (JsonNode)new JsonArray(l.KeptKvGroups.Select(k => (JsonNode)k!).ToArray())).ToArray()),
                    ["kept_channels"] = new JsonArray(plan.Layers.Select(l => (JsonNode)new JsonArray(l.KeptChannels.Select(k => (JsonNode)k!).ToArray())).ToArray()),
                };
            }
        }
        var root = new JsonObject
        {
            ["implementation"] = "PruneSearch (TorchSharp float32, stats float64)",
            ["stats"] = StatisticsModeNames.Name(mode),
            ["protocol"] = new JsonObject
            {
                ["calibration"] = new JsonObject
                {
                    ["file"] = "tinystories/train.txt", ["tokens_with_bos"] = stream.Length, ["windows"] = cal.Count, ["seqlen"] = Seq,
                    ["seed"] = Seed, ["first_offsets"] = new JsonArray(cal.Offsets.Take(5).Select(o => (JsonNode)o!).ToArray()),
                },
                ["evaluation"] = new JsonObject
                {
                    ["file"] = "tinystories/valid.txt (stories joined)", ["tokens_with_bos"] = eval.Protocol.CorpusTokens + 1,
                    ["windows"] = eval.Count, ["seqlen"] = Seq, ["scored"] = eval.ScoredTokens,
                },
            },
            ["dense"] = Ppl(model),
            ["results"] = results,
        };
        Console.WriteLine(root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }

    private static PruningStructure ExactTwin(PruningStructure published) =>
        PruningStructureNames.Parse(PruningStructureNames.Name(published) + PruningStructureNames.ExactSuffix);
}

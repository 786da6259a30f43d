using System.Diagnostics;
using Search.Data;
using Search.Model;
using Search.Objective;
using Search.Optimization;
using Search.Optimization.Samplers;
using Search.Optimization.Spaces;
using Search.Optimization.Storage;
using Search.Records;
using Search.Tests.Data;
using Search.Tests.Pruning;
using Search.Tests.Support;

namespace Search.Tests.Objective;

/// <summary>
/// Trials leave memory where they found it: on a random model of llama2.c stories15M's shape (24M
/// parameters), 30 trials of a search over calibration, metric mixture, per-layer ratios, structure
/// and compensation (FLAP bias and least-squares reconstruction) keep the process RSS flat.
/// </summary>
[Collection(PruningCollection.Name)]
public sealed class TrialMemoryTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private const string Space = """
        {
          "name": "memory",
          "params": [
            { "name": "calibration_source", "kind": "fixed", "value": "letters" },
            { "name": "calibration_samples", "kind": "int", "low": 4, "high": 16, "log": true },
            { "name": "calibration_seqlen", "kind": "fixed", "value": 64 },
            { "name": "calibration_seed", "kind": "int", "low": 0, "high": 3 },
            { "name": "metric_mix", "kind": "simplex", "components": ["wifv", "wifn", "ifv", "wanda", "magnitude"] },
            { "name": "attention_ratios", "kind": "layer_ratios", "module": "attention", "levels": { "min": 0.0, "max": 0.5, "step": 0.1 }, "target": 0.3 },
            { "name": "mlp_ratios", "kind": "layer_ratios", "module": "mlp", "levels": { "min": 0.0, "max": 0.6, "step": 0.1 }, "target": 0.3 },
            { "name": "structure", "kind": "categorical", "choices": ["per-layer", "al-am-exact"] },
            { "name": "compensation", "kind": "categorical", "choices": ["bias", "ls"] }
          ]
        }
        """;

    private static long RssBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return Process.GetCurrentProcess().WorkingSet64;
    }

    [Fact]
    public void Given_a_24M_parameter_model_When_running_30_trials_Then_RSS_around_trial_30_is_within_5_percent_of_around_trial_5()
    {
        var config = Search.Model.Shapes.ModelShapes.Find("stories15m").Config();
        using var dense = RandomTransformer.Create(config, seed: 1);
        var tokenizer = new SmallVocabTokenizer(config.VocabSize);
        var text = string.Concat(Enumerable.Range(0, 40_000).Select(i => (char)('a' + (i * 7919 % 26))));
        var source = new CorpusSource("letters", "train", temp.File("letters.txt", text), TextPreparation.ByExtension);
        var settings = new ObjectiveSettings(0.3, "letters", 64, "corpus", ProxyWindows: 4, Finalists: 0, PoolSize: 16);
        var pools = new CalibrationPools(dense, "random-stories15m", tokenizer, new TokenCache(Path.Combine(temp.Path, "tokens")),
            _ => source, settings.PoolSize);
        var eval = RandomModels.RandomWindows(config.VocabSize, 8, 64, seed: 2);
        var split = new EvalSet("letters", "valid", eval, 8, 64, "corpus");
        var space = SearchSpace.Parse(Space).BindLayerCount(config.NumLayers);
        using var runner = new TrialRunner(dense, pools, settings, split, split, TrialParams.MixComponentsOf(space));
        using var storage = new InMemoryStorage();
        var record = new StudyRecord("memory", "random", "random", space.SourceJson, space.LayerCount, "random", 0, "memory", "test");
        var study = Study.CreateOrResume(storage, record, space, SamplerFactory.Create("random"));
        var rss = new List<long>();
        study.Optimize(trial =>
        {
            var outcome = runner.Evaluate(trial);
            rss.Add(RssBytes());
            return outcome;
        }, 30);
        // Trials differ (least squares holds refits, bias does not), so compare the peaks of five
        // trials around trial 5 and around trial 30 rather than two single readings.
        long after5 = rss.Skip(2).Take(5).Max(), after30 = rss.Skip(25).Take(5).Max();
        Assert.All(storage.GetTrials("memory"), t => Assert.Equal(Search.Optimization.Trials.TrialState.Complete, t.State));
        Assert.Contains(storage.GetTrials("memory"), t => t.Params["compensation"].AsText == "ls");
        Assert.True(after30 <= after5 * 1.05,
            $"RSS around trial 5: {after5 / 1e6:F0} MB, around trial 30: {after30 / 1e6:F0} MB (per trial: {string.Join(" ", rss.Select(r => r / 1_000_000))})");
    }
}

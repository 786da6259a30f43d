using Search.Optimization.Samplers;
using Search.Optimization.Spaces;
using Search.Optimization.Storage;
using Search.Optimization.Trials;

namespace Search.Optimization.Tests;

/// <summary>Small spaces, records and objectives shared by the tests.</summary>
internal static class TestData
{
    public const string MixedSpaceJson = """
        {
          "name": "mixed",
          "params": [
            { "name": "source", "kind": "categorical", "choices": ["wikitext2", "c4", "ptb"] },
            { "name": "samples", "kind": "int", "low": 16, "high": 256, "log": true },
            { "name": "lr", "kind": "float", "low": 0.001, "high": 1.0, "log": true },
            { "name": "mix", "kind": "simplex", "components": ["wifv", "wanda", "magnitude"] },
            { "name": "attention_ratios", "kind": "layer_ratios", "module": "attention", "levels": { "min": 0.0, "max": 0.8, "step": 0.1 }, "target": 0.3 },
            { "name": "structure", "kind": "fixed", "value": "al-am" }
          ],
          "baselines": [
            { "tag": "flap", "params": { "source": "wikitext2", "samples": 1024, "lr": 0.01, "mix": [1, 0, 0] } }
          ]
        }
        """;

    public const string DarwinSpaceJson = """
        {
          "name": "darwin-test",
          "params": [
            { "name": "attention_ratios", "kind": "layer_ratios", "module": "attention", "levels": { "min": 0.0, "max": 0.8, "step": 0.1 }, "target": 0.3 },
            { "name": "mlp_ratios", "kind": "layer_ratios", "module": "mlp", "levels": { "min": 0.0, "max": 0.8, "step": 0.1 }, "target": 0.3 },
            { "name": "metric", "kind": "fixed", "value": "wifv" }
          ]
        }
        """;

    public static SearchSpace MixedSpace(int layers = 6) => SearchSpace.Parse(MixedSpaceJson).BindLayerCount(layers);

    public static SearchSpace DarwinSpace(int layers = 8) => SearchSpace.Parse(DarwinSpaceJson).BindLayerCount(layers);

    public static StudyRecord Record(string name, SearchSpace space, string sampler, int seed, string modelHash = "sha256:abc") =>
        new(name, "/models/tiny", modelHash, space.SourceJson, space.LayerCount, sampler, seed, "validation ppl, seqlen 128", "test");

    public static Study NewStudy(ITrialStorage storage, SearchSpace space, ISampler sampler, int seed, string name = "s", WorkerIdentity? worker = null) =>
        Study.CreateOrResume(storage, Record(name, space, sampler.Name, seed), space, sampler, worker);

    /// <summary>A worker that looks like a crashed process: this host, this pid, but a start time that never happened.</summary>
    public static WorkerIdentity DeadWorker => WorkerIdentity.Current with { ProcessStartTicks = 1 };

    /// <summary>Deterministic stand-in for "perplexity": depends on every searched dimension.</summary>
    public static double SyntheticLoss(IReadOnlyDictionary<string, ParamValue> p)
    {
        var loss = 0.0;
        foreach (var (_, value) in p)
            loss += value.Kind switch
            {
                ParamValueKind.Real => Math.Abs(Math.Log(value.AsReal) + 3.0),
                ParamValueKind.Integer => Math.Abs(Math.Log(value.AsInteger + 1) - 4.0),
                ParamValueKind.Text => value.AsText.Length * 0.1,
                _ => value.AsVector.Select((x, i) => x * (i + 1)).Sum(),
            };
        return loss;
    }

    public static List<string> Describe(IEnumerable<FrozenTrial> trials) =>
        trials.Select(t => $"{t.Number} {ParamSet.Describe(t.Params)}").ToList();

    public static FrozenTrial RunningTrial(int number, IReadOnlyDictionary<string, ParamValue>? parameters = null, string? worker = null) => new(
        number, TrialState.Running,
        parameters ?? ParamSet.Freeze([KeyValuePair.Create("x", ParamValue.Of(0.5 * number)), KeyValuePair.Create("v", ParamValue.Of([1.0, 2.0]))]),
        null, [], new Dictionary<string, string>(), null, new DateTime(2026, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc).AddTicks(9), null,
        number * 7, worker ?? WorkerIdentity.Current.ToString());
}

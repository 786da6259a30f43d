using Search.Optimization.Storage;
using Search.Optimization.Trials;
using Search.Records;

namespace Search.Reporting.Tests;

/// <summary>
/// A small study written through the storage interface the way the search writes it: params, plan
/// and timings while Running, then the proxy score, then finalist scores as post-finish annotations.
/// Trial 1 flap al-am baseline, 2 wanda-sp baseline, 3 best searched, 4 searched without final, 5 failed.
/// </summary>
public static class SyntheticStudy
{
    public const string SpaceJson = """
        { "name": "synthetic-space", "params": [
            { "name": "calibration_source", "kind": "categorical", "choices": ["wikitext2", "c4"] },
            { "name": "calibration_samples", "kind": "int", "low": 8, "high": 128 },
            { "name": "calibration_seqlen", "kind": "categorical", "choices": [64, 128] },
            { "name": "calibration_seed", "kind": "int", "low": 0, "high": 4 },
            { "name": "metric_mix", "kind": "simplex", "components": ["wifv", "wifn", "ifv", "wanda", "magnitude"] },
            { "name": "structure", "kind": "categorical", "choices": ["per-layer", "al-am"] },
            { "name": "compensation", "kind": "fixed", "value": "bias" } ] }
        """;

    public static readonly IReadOnlyList<LayerWidthSummary> Dense = [new(8, 4, 172), new(8, 4, 172)];

    public static void Create(ITrialStorage storage, string name, double ratio = 0.2, double scale = 1.0, bool withTrials = true)
    {
        var objective = AttrJson.Serialize(new ObjectiveSettings(ratio, "wikitext2", 128, "corpus", 32, 1, 256));
        storage.CreateOrOpenStudy(new StudyRecord(name, "/models/stories260K", "abcdef0123456789", SpaceJson, 2, "gp", 0, objective, "test"));
        if (!withTrials) return;
        Add(storage, name, 0, "flap-wifv-al-am-bias", "wikitext2", 128, [1, 0, 0, 0, 0], "al-am", 12.0 * scale, (11.0 * scale, 11.5 * scale), [new(6, 3, 120), new(8, 4, 150)]);
        Add(storage, name, 1, "wanda-sp", "wikitext2", 128, [0, 0, 0, 1, 0], "per-layer", 11.5 * scale, (10.0 * scale, 10.4 * scale), [new(6, 3, 138), new(6, 3, 138)]);
        Add(storage, name, 2, null, "c4", 32, [0.5, 0.25, 0, 0.25, 0], "per-layer", 10.0 * scale, (9.0 * scale, 9.88 * scale), [new(8, 4, 130), new(4, 2, 140)]);
        Add(storage, name, 3, null, "wikitext2", 64, [0, 0, 1, 0, 0], "al-am", 10.5 * scale, null, [new(6, 3, 140), new(6, 3, 136)]);
        storage.TryCreateTrial(name, Running(3 + 1, Params("c4", 8, [0, 0, 0, 0, 1], "per-layer")));
        storage.FinishTrial(name, 4, TrialOutcome.Failed("perplexity is NaN"), DateTime.UtcNow);
    }

    private static void Add(ITrialStorage storage, string study, int number, string? baseline, string source, int samples, double[] mix,
        string structure, double proxy, (double Search, double Test)? final, IReadOnlyList<LayerWidthSummary> widths)
    {
        Assert.True(storage.TryCreateTrial(study, Running(number, Params(source, samples, mix, structure))));
        if (baseline is not null) storage.SetTrialUserAttr(study, number, UserAttrKeys.Baseline, baseline);
        long kept = 200_000 + widths.Sum(w => w.Channels) * 100 + widths.Sum(w => w.Heads) * 1000;
        storage.SetTrialUserAttr(study, number, TrialAttrs.Plan, AttrJson.Serialize(
            new PlanSummary(structure, 0.2, 0.2, 100_000, 20_000, 260_000, kept, widths, Dense)));
        storage.SetTrialUserAttr(study, number, TrialAttrs.Timings, AttrJson.Serialize(new TrialTimings(0.1, 0.2, 0.3, 0.4)));
        storage.FinishTrial(study, number, TrialOutcome.Completed(proxy, [new TrialScore("ppl", proxy, "valid", 4064, 128, "corpus")]), DateTime.UtcNow);
        if (final is { } f)
            storage.SetTrialUserAttr(study, number, TrialAttrs.Final, AttrJson.Serialize(new FinalScores(f.Search, "valid", 15_240, f.Test, "test", 15_367, 1.0)));
    }

    private static Dictionary<string, ParamValue> Params(string source, int samples, double[] mix, string structure) => new()
    {
        ["calibration_source"] = ParamValue.Of(source),
        ["calibration_samples"] = ParamValue.Of((long)samples),
        ["calibration_seqlen"] = ParamValue.Of(128L),
        ["calibration_seed"] = ParamValue.Of(0L),
        ["metric_mix"] = ParamValue.Of(mix),
        ["structure"] = ParamValue.Of(structure),
        ["compensation"] = ParamValue.Of("bias"),
    };

    private static FrozenTrial Running(int number, IReadOnlyDictionary<string, ParamValue> p) =>
        new(number, TrialState.Running, p, null, [], new Dictionary<string, string>(), null, DateTime.UtcNow, null, 1000 + number, "test-worker");
}

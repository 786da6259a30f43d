using System.Globalization;
using System.Text.Json;
using Search.Optimization.Samplers;
using Search.Optimization.Spaces;
using Search.Optimization.Storage;
using Search.Optimization.Trials;

namespace Search.Optimization.Tests.Samplers;

/// <summary>
/// A stand-in for "perplexity of a pruned model" with a per-layer allocation (22–80 layers × attention/MLP
/// on a 0.05 grid, mean 0.3 per module) and a context (calibration source/samples/seed, metric mix,
/// structure, compensation):
/// <list type="bullet">
/// <item>allocation: a separable quadratic Σ_l w_l (r_l − o_l)² per module, with a smooth per-layer optimum
/// o (mean 0.3, so the budget holds at it) and weights w (first and last layers 3× as sensitive),
/// scaled so that the uniform allocation costs 0.5 per module and the optimum 0;</item>
/// <item>context: compensation ls 0, bias 0.3, none 0.6 (one good branch no baseline uses), source,
/// log sample count, seed and mix add up to ~0.5;</item>
/// <item>structure al-am ignores the vectors and uses FLAP's allocation (halfway from uniform to o, plus
/// jitter), which it reports in <see cref="UserAttrKeys.AllocationRatios"/> as the objective will;</item>
/// <item>a trial scored on t tokens (<see cref="UserAttrKeys.FidelityTokens"/>, default 4096) gets
/// deterministic noise of scale 0.01·√(4096/t) from the windows: a shift common to every config, a part
/// per context, and a random tilt along the allocation (see <see cref="Observed"/>); equal applied configs
/// and tokens give equal values.</item>
/// </list>
/// The noise-free value of the trial a search would report (its best observed top-fidelity value)
/// measures the search.
/// </summary>
internal sealed class AllocationBenchmark
{
    public const long TopTokens = 4096;
    private const double Step = 0.05, Target = 0.3;

    private readonly double[][] _optimum;
    private readonly double[][] _weight;
    private readonly double[] _scale;
    private readonly double[][] _flap;

    public AllocationBenchmark(int layers, int instance = 1)
    {
        Layers = layers;
        Space = SearchSpace.Parse(SpaceJson).BindLayerCount(layers);
        var rng = new Random(instance * 7919 + layers);
        _optimum = new double[2][];
        _weight = new double[2][];
        _scale = new double[2];
        _flap = new double[2][];
        for (var m = 0; m < 2; m++)
        {
            var phase = rng.NextDouble() * 2 * Math.PI;
            var o = Enumerable.Range(0, layers)
                .Select(l => 0.3 + 0.22 * Math.Sin(2 * Math.PI * 1.3 * l / layers + phase) + 0.06 * (rng.NextDouble() - 0.5)).ToArray();
            var shift = Target - o.Average();
            _optimum[m] = o.Select(x => Math.Clamp(x + shift, 0.02, 0.78)).ToArray();
            _weight[m] = Enumerable.Range(0, layers).Select(l => (0.5 + 1.5 * rng.NextDouble()) * (l == 0 || l == layers - 1 ? 3 : 1)).ToArray();
            _scale[m] = 0.5 / Enumerable.Range(0, layers).Sum(l => _weight[m][l] * Math.Pow(Target - _optimum[m][l], 2));
            var flap = _optimum[m].Select(x => Target + 0.5 * (x - Target) + 0.04 * (rng.NextDouble() - 0.5)).ToArray();
            var flapShift = Target - flap.Average();
            _flap[m] = flap.Select(x => x + flapShift).ToArray();
        }
    }

    public int Layers { get; }

    /// <summary>
    /// One search of <paramref name="trials"/> trials with the hand-set baselines enqueued first: the
    /// noise-free value of the trial it reports (<see cref="Reported"/>).
    /// </summary>
    public double Search(ISampler sampler, int trials, int seed)
    {
        using var storage = new InMemoryStorage();
        var study = TestData.NewStudy(storage, Space, sampler, seed);
        foreach (var (tag, parameters) in Baselines()) study.Enqueue(parameters, tag);
        study.Optimize(Evaluate, trials);
        return Reported(study.Trials);
    }
    public SearchSpace Space { get; }

    public const string SpaceJson = """
        { "name": "allocation-benchmark", "params": [
            { "name": "calibration_source", "kind": "categorical", "choices": ["tinystories", "c4", "wikitext2"] },
            { "name": "calibration_samples", "kind": "int", "low": 16, "high": 256, "log": true },
            { "name": "calibration_seed", "kind": "int", "low": 0, "high": 4 },
            { "name": "metric_mix", "kind": "simplex", "components": ["wifv", "wifn", "wanda"] },
            { "name": "attention_ratios", "kind": "layer_ratios", "module": "attention", "levels": { "min": 0.0, "max": 0.8, "step": 0.05 }, "target": 0.3 },
            { "name": "mlp_ratios", "kind": "layer_ratios", "module": "mlp", "levels": { "min": 0.0, "max": 0.8, "step": 0.05 }, "target": 0.3 },
            { "name": "structure", "kind": "categorical", "choices": ["per-layer", "al-am"] },
            { "name": "compensation", "kind": "categorical", "choices": ["bias", "none", "ls"] } ] }
        """;

    public double Context(IReadOnlyDictionary<string, ParamValue> p)
    {
        var value = p["compensation"].AsText switch { "ls" => 0.0, "bias" => 0.3, _ => 0.6 };
        value += p["calibration_source"].AsText switch { "tinystories" => 0.0, "c4" => 0.08, _ => 0.12 };
        value += 0.03 * Math.Pow(Math.Log2(p["calibration_samples"].AsReal) - 7, 2);
        value += 0.01 * p["calibration_seed"].AsReal;
        var w = p["metric_mix"].AsVector;
        value += 0.3 * (Math.Pow(w[0] - 0.6, 2) + Math.Pow(w[1] - 0.3, 2) + Math.Pow(w[2] - 0.1, 2));
        return value;
    }

    public double Allocation(int module, IReadOnlyList<double> ratios) =>
        _scale[module] * Enumerable.Range(0, Layers).Sum(l => _weight[module][l] * Math.Pow(ratios[l] - _optimum[module][l], 2));

    /// <summary>The allocation the objective applies: the vectors, or FLAP's under al-am.</summary>
    public double[][] Applied(IReadOnlyDictionary<string, ParamValue> p) => p["structure"].AsText == "al-am"
        ? [_flap[0], _flap[1]]
        : [p["attention_ratios"].AsVector.ToArray(), p["mlp_ratios"].AsVector.ToArray()];

    public double TrueValue(IReadOnlyDictionary<string, ParamValue> p)
    {
        var applied = Applied(p);
        return Context(p) + Allocation(0, applied[0]) + Allocation(1, applied[1]);
    }

    /// <summary>The noise-free value of the best uniform/optimal allocation, for scale: the optimum is ~0.</summary>
    public double UniformAllocationValue => Allocation(0, Enumerable.Repeat(Target, Layers).ToArray()) + Allocation(1, Enumerable.Repeat(Target, Layers).ToArray());

    public double Observed(IReadOnlyDictionary<string, ParamValue> p, long? tokens)
    {
        var t = tokens ?? TopTokens;
        var at = "@" + t.ToString(CultureInfo.InvariantCulture);
        // The noise belongs to the windows scored (the same for every config at one budget): a shift common
        // to all configs, a part of the config's context (calibration changes every unit's score), and a
        // random tilt along the allocation, so two allocations one move apart differ in noise by a
        // correspondingly small amount, as two nearly identical pruned models scored on one text do.
        var applied = Applied(p);
        var context = ParamSet.Describe(ParamSet.Freeze(p.Where(x => !x.Key.EndsWith("_ratios", StringComparison.Ordinal) && x.Key != "structure")));
        var tilt = 0.0;
        for (var m = 0; m < 2; m++)
            for (var l = 0; l < Layers; l++)
                tilt += HashGaussian($"{m}/{l}{at}") * (applied[m][l] - Target);
        var noise = 0.8 * HashGaussian(at) + 0.6 * HashGaussian(context + at) + 4.0 * tilt / Math.Sqrt(2 * Layers);
        return TrueValue(p) + 0.01 * Math.Sqrt(TopTokens / (double)t) * noise;
    }

    /// <summary>What the objective does with a trial: scores it at its fidelity and reports the allocation it applied.</summary>
    public double Evaluate(Trial trial)
    {
        var applied = Applied(trial.Params);
        trial.SetUserAttr(UserAttrKeys.AllocationRatios, JsonSerializer.Serialize(new Dictionary<string, double[]>
        {
            ["attention"] = applied[0],
            ["mlp"] = applied[1],
        }));
        return Observed(trial.Params, trial.FidelityTokens);
    }

    /// <summary>FLAP al-am + bias, FLAP uniform + bias, Wanda-sp: none uses ls, none is per-layer-searched.</summary>
    public IEnumerable<(string Tag, IReadOnlyDictionary<string, ParamValue> Params)> Baselines()
    {
        IReadOnlyDictionary<string, ParamValue> Config(double[] mix, string structure, string compensation) => ParamSet.Freeze(Space.Dimensions.Select(d =>
            KeyValuePair.Create(d.Name, d.Name switch
            {
                "calibration_source" => ParamValue.Of("tinystories"),
                "calibration_samples" => ParamValue.Of(128L),
                "calibration_seed" => ParamValue.Of(0L),
                "metric_mix" => ParamValue.Of(mix),
                "structure" => ParamValue.Of(structure),
                "compensation" => ParamValue.Of(compensation),
                _ => ParamValue.Of(Enumerable.Repeat(Target, Layers).ToArray()),
            })));
        yield return ("flap-wifv-al-am-bias", Config([1, 0, 0], "al-am", "bias"));
        yield return ("flap-wifv-ul-um-bias", Config([1, 0, 0], "per-layer", "bias"));
        yield return ("wanda-sp", Config([0, 0, 1], "per-layer", "none"));
    }

    /// <summary>The reported result of a finished study: noise-free value of its best trial at the top fidelity.</summary>
    public double Reported(IEnumerable<FrozenTrial> trials) =>
        TrueValue(trials.Where(t => t.State == TrialState.Complete && t.Value is not null && (t.FidelityTokens ?? TopTokens) == TopTokens)
            .OrderBy(t => t.Value).ThenBy(t => t.Number).First().Params);

    private static double HashGaussian(string text)
    {
        ulong h = 1469598103934665603UL;
        foreach (var c in text) h = (h ^ c) * 1099511628211UL;
        var rng = new Random((int)(h ^ (h >> 32)));
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}

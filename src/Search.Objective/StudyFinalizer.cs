using Search.Model;
using Search.Model.Speed;
using Search.Optimization;
using Search.Optimization.Storage;
using Search.Optimization.Trials;
using Search.Records;

namespace Search.Objective;

/// <summary>
/// After the trials: the hand-set baselines and the best searched trials are re-scored on the
/// search split and the test split (post-finish annotations), and the best baseline — chosen on
/// the search split (<see cref="BaselineRule"/>) — is re-run with other calibration seeds to
/// measure the spread a searched gain must exceed. Each annotation is written once; a rerun only
/// adds what is missing.
/// </summary>
public static class StudyFinalizer
{
    /// <summary>Calibration seeds the best baseline is re-run with (the trial's own seed first).</summary>
    public const int SpreadSeeds = 5;

    /// <summary>The study task that times finalists and baselines (<c>search --speed</c>), separate so a finalized study can be timed later.</summary>
    public const string SpeedTask = "speed";

    /// <summary>Adds what is missing; stops between configs when <paramref name="cancel"/> fires (another worker took over).</summary>
    public static void Run(TextWriter log, ITrialStorage storage, Study study, TrialRunner runner, CancellationToken cancel = default)
    {
        ScoreFinalists(log, storage, study, runner, cancel);
        SeedSpreadOfBestBaseline(log, storage, study, runner, cancel);
        DecomposeGain(log, storage, study, runner, cancel);
    }

    /// <summary>
    /// Re-runs the best searched config (by search-split ppl) with each part set back to the best
    /// baseline's (<see cref="GainDecomposition"/>) and stores the scores on it.
    /// </summary>
    private static void DecomposeGain(TextWriter log, ITrialStorage storage, Study study, TrialRunner runner, CancellationToken cancel)
    {
        var trials = storage.GetTrials(study.Name);
        var baseline = BaselineRule.Best(trials);
        var best = trials.Where(t => t.State == TrialState.Complete && t.UserAttr(UserAttrKeys.Baseline) is null)
            .Select(t => (Trial: t, Final: AttrJson.TryDeserialize<FinalScores>(t.UserAttr(TrialAttrs.Final))))
            .Where(x => x.Final is not null).OrderBy(x => x.Final!.SearchPpl).ThenBy(x => x.Trial.Number).Select(x => x.Trial).FirstOrDefault();
        if (baseline is null || best is null || best.UserAttr(TrialAttrs.Decomposition) is not null) return;
        var parts = new List<GainPart>();
        foreach (var (part, names) in GainDecomposition.PartParams)
        {
            cancel.ThrowIfCancellationRequested();
            string? Show(IReadOnlyDictionary<string, ParamValue> p) =>
                string.Join(" ", names.Where(p.ContainsKey).Select(n => p[n].ToString()));
            var reverted = GainDecomposition.Reverted(best.Params, baseline.Params, part);
            if (reverted is null)
            {
                parts.Add(new GainPart(part, Show(best.Params), Show(baseline.Params), null, null));
                continue;
            }
            FinalScores f;
            try { f = runner.Finalize(reverted); }
            catch (Exception e) when (e is not (OutOfMemoryException or OperationCanceledException))
            {
                log.WriteLine($"gain decomposition: trial {best.Number + 1} with the {part} of the baseline does not run: {e.Message.ReplaceLineEndings(" ")}");
                parts.Add(new GainPart(part, Show(best.Params), Show(baseline.Params), null, null));
                continue;
            }
            parts.Add(new GainPart(part, Show(best.Params), Show(baseline.Params), f.SearchPpl, f.TestPpl));
            log.WriteLine($"gain decomposition: trial {best.Number + 1} with the {part} of {baseline.UserAttr(UserAttrKeys.Baseline)}: " +
                          $"{f.SearchSplit} ppl {f.SearchPpl:F4}, {f.TestSplit} ppl {f.TestPpl:F4}");
        }
        storage.SetTrialUserAttr(study.Name, best.Number, TrialAttrs.Decomposition,
            AttrJson.Serialize(new GainDecomposition(baseline.UserAttr(UserAttrKeys.Baseline)!, baseline.Number, parts)));
    }

    /// <summary>The trials that get final scores: every complete baseline, and the best searched ones at the top fidelity.</summary>
    public static IReadOnlyList<FrozenTrial> Finalists(IReadOnlyList<FrozenTrial> trials, int searchedFinalists)
    {
        var complete = trials.Where(t => t.State == TrialState.Complete && t.Value is not null).ToList();
        long? topFidelity = complete.Select(t => t.FidelityTokens).Max();
        var searched = complete.Where(t => t.UserAttr(UserAttrKeys.Baseline) is null && t.FidelityTokens == topFidelity)
            .OrderBy(t => t.Value).ThenBy(t => t.Number).Take(searchedFinalists);
        return complete.Where(t => t.UserAttr(UserAttrKeys.Baseline) is not null).Concat(searched).ToList();
    }

    private static void ScoreFinalists(TextWriter log, ITrialStorage storage, Study study, TrialRunner runner, CancellationToken cancel)
    {
        foreach (var t in Finalists(storage.GetTrials(study.Name), runner.Settings.Finalists).Where(t => t.UserAttr(TrialAttrs.Final) is null))
        {
            cancel.ThrowIfCancellationRequested();
            var final = runner.Finalize(t.Params);
            storage.SetTrialUserAttr(study.Name, t.Number, TrialAttrs.Final, AttrJson.Serialize(final));
            log.WriteLine($"final trial {t.Number + 1}{(t.UserAttr(UserAttrKeys.Baseline) is { } tag ? $" [{tag}]" : "")}: " +
                          $"{final.SearchSplit} ppl {final.SearchPpl:F4}, {final.TestSplit} ppl {final.TestPpl:F4} ({final.Seconds:F1} s)");
        }
    }

    /// <summary>
    /// Times every finalist and baseline without a <see cref="TrialAttrs.Speed"/> record against the
    /// dense model (interleaved, <see cref="SpeedMeter"/>) and stores the record. A trial that
    /// already has one keeps it (annotations are written once).
    /// </summary>
    public static void MeasureSpeed(TextWriter log, ITrialStorage storage, Study study, TrialRunner runner, Transformer dense,
        string tokenizerDir, SpeedSettings speed, CancellationToken cancel = default)
    {
        var todo = Finalists(storage.GetTrials(study.Name), runner.Settings.Finalists)
            .Where(t => t.UserAttr(TrialAttrs.Speed) is null).ToList();
        if (todo.Count == 0) return;
        // Both models in the compute dtype, resident: a mapped checkpoint in another dtype would be converted at every step.
        using var reference = Materialized.Of(dense, ready: true);
        using var meter = new SpeedMeter(reference, "dense", tokenizerDir, speed.Protocol, speed.LlamaCpp, speed.GgufWriter);
        foreach (var t in todo)
        {
            cancel.ThrowIfCancellationRequested();
            string label = t.UserAttr(UserAttrKeys.Baseline) is { } tag ? $"trial {t.Number + 1} [{tag}]" : $"trial {t.Number + 1}";
            TrialSpeed record;
            using (var scope = TorchSharp.torch.NewDisposeScope())
            using (var pruned = runner.Build(t.Params, out _))
            using (var model = Materialized.Of(pruned, ready: true))
                record = TrialSpeeds.From(meter.Compare(model, label), DateTime.UtcNow);
            storage.SetTrialUserAttr(study.Name, t.Number, TrialAttrs.Speed, AttrJson.Serialize(record));
            log.WriteLine($"speed {label}: " + string.Join("; ", new[] { record.TorchSharp, record.LlamaCpp }.OfType<RuntimeSpeed>().Select(r =>
                $"{(r.Runtime.StartsWith("llama.cpp", StringComparison.Ordinal) ? "llama.cpp" : "TorchSharp")} decode {r.Model.DecodeTokensPerSecond:F1} tok/s " +
                $"(x{r.DecodeSpeedup:F2} dense), prefill {r.Model.PrefillTokensPerSecond:F1} tok/s (x{r.PrefillSpeedup:F2})")) +
                $" [{record.Threads} threads]");
        }
    }

    private static void SeedSpreadOfBestBaseline(TextWriter log, ITrialStorage storage, Study study, TrialRunner runner, CancellationToken cancel)
    {
        var best = BaselineRule.Best(storage.GetTrials(study.Name));
        if (best is null || best.UserAttr(TrialAttrs.SeedSpread) is not null || !best.Params.ContainsKey("calibration_seed")) return;
        var final = AttrJson.Deserialize<FinalScores>(best.UserAttr(TrialAttrs.Final))!;
        var seeds = new List<int>();
        var ppl = new List<double>();
        int seed0 = (int)best.Params["calibration_seed"].AsReal;
        for (int k = 0; k < SpreadSeeds; k++)
        {
            int seed = seed0 + k;
            var p = new Dictionary<string, ParamValue>(best.Params) { ["calibration_seed"] = ParamValue.Of((long)seed) };
            seeds.Add(seed);
            cancel.ThrowIfCancellationRequested();
            ppl.Add(k == 0 ? final.TestPpl : runner.TestPerplexity(p));
        }
        var spread = new SeedSpread(seeds, ppl);
        storage.SetTrialUserAttr(study.Name, best.Number, TrialAttrs.SeedSpread, AttrJson.Serialize(spread));
        log.WriteLine($"seed spread of {best.UserAttr(UserAttrKeys.Baseline)} over calibration seeds {string.Join(",", seeds)}: " +
                      $"test ppl {string.Join(" ", ppl.Select(v => v.ToString("F4")))} (max-min {spread.Spread:F4})");
    }
}

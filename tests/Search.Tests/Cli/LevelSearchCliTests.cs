using Search.Optimization.Storage;
using Search.Optimization.Trials;
using Search.Records;

namespace Search.Tests.Cli;

/// <summary>
/// search --sampler levels end to end on the embedded default: the searched trials continue the best
/// hand-set contexts, meet the budget, record what the level search did, and a study stopped after some
/// trials and resumed gives the trials an uninterrupted run gives.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class LevelSearchCliTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("prunesearch-levels-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private const int Baselines = 11;

    private string[] Args(string db, int trials, string? space = null) =>
    [
        "search", "--space", space ?? CliRunner.Space("quick.json"), "--db", db, "--study", "s", "--trials", trials.ToString(),
        "--sampler", "levels", "--seed", "0", "--proxy-windows", "4", "--finalists", "1", "--pool-size", "128", "--final-tokens", "2048",
    ];

    private static List<FrozenTrial> Trials(string db)
    {
        using var storage = new LiteDbStorage(db);
        return storage.GetTrials("s").ToList();
    }

    private static string Fingerprint(FrozenTrial t) =>
        $"{t.Number}:{t.State}:{string.Join(";", t.Params.Select(kv => $"{kv.Key}={kv.Value}"))}:{t.Value:R}";

    [Fact]
    public void Searched_trials_continue_hand_set_contexts_at_the_budget_and_a_resumed_study_equals_an_uninterrupted_one()
    {
        const int total = Baselines + 2;
        string straight = Path.Combine(dir, "straight.db"), resumed = Path.Combine(dir, "resumed.db");
        var (exit, output, err) = CliRunner.Run(Args(straight, total));
        Assert.True(exit == 0, err);
        Assert.Contains("levels: trial 12 continues context 1", output + err);
        var trials = Trials(straight);
        var searched = trials.Where(t => t.UserAttr(UserAttrKeys.Baseline) is null).ToList();
        Assert.Equal(2, searched.Count);
        foreach (var t in searched)
        {
            Assert.Equal(TrialState.Complete, t.State);
            Assert.Equal("per-layer", t.Params["structure"].AsText);
            var record = AttrJson.Deserialize<LevelRecord>(t.UserAttr("levels"))!;
            Assert.True(record.TotalCandidates > 20, $"{record.TotalCandidates} candidates");
            Assert.True(BaselineRule.MeetsBudget(t));
            var plan = AttrJson.Deserialize<PlanSummary>(t.UserAttr(TrialAttrs.Plan))!;
            Assert.InRange(plan.RemovedParams, plan.TargetRatio * plan.PrunableParams * 0.999, plan.TargetRatio * plan.PrunableParams * 1.01);
            // The context's calibration, mixture and compensation are a hand-set baseline's.
            Assert.Contains(trials.Where(b => b.UserAttr(UserAttrKeys.Baseline) == record.Baseline),
                b => b.Params["compensation"].Equals(t.Params["compensation"]) && b.Params["metric_mix"].Equals(t.Params["metric_mix"]));
        }

        (exit, _, err) = CliRunner.Run(Args(resumed, total - 1));
        Assert.True(exit == 0, err);
        (exit, _, err) = CliRunner.Run(Args(resumed, total));
        Assert.True(exit == 0, err);
        Assert.Equal(trials.Select(Fingerprint), Trials(resumed).Select(Fingerprint));
    }

    /// <summary>
    /// With attention_unit in the space and a GQA model (the embedded default: 8 query heads in 4 groups), each context is
    /// continued in KV-group levels and in query-head levels, the chains taking turns: the second searched trial removes
    /// query heads inside the groups (the same count in each) and keeps every KV head, at the budget.
    /// </summary>
    [Fact]
    public void On_a_GQA_model_a_space_with_attention_units_adds_a_query_head_chain_per_context()
    {
        string space = Path.Combine(dir, "units.json");
        string quick = File.ReadAllText(CliRunner.Space("quick.json"));
        const string anchor = "{ \"name\": \"structure\"";
        Assert.Contains(anchor, quick);
        const string baselineAnchor = "\"calibration_seed\": 0, \"metric_mix\"";
        Assert.Contains(baselineAnchor, quick);
        File.WriteAllText(space, quick
            .Replace(anchor, "{ \"name\": \"attention_unit\", \"kind\": \"categorical\", \"choices\": [\"kv-group\", \"query-head\"] },\n    " + anchor)
            .Replace(baselineAnchor, "\"calibration_seed\": 0, \"attention_unit\": \"kv-group\", \"metric_mix\""));
        string db = Path.Combine(dir, "units.db");
        var (exit, output, err) = CliRunner.Run(Args(db, Baselines + 2, space));
        Assert.True(exit == 0, err);
        Assert.Contains("levels: trial 13 continues context 1 (", output + err);
        Assert.Contains("query-head levels", output + err);
        var searched = Trials(db).Where(t => t.UserAttr(UserAttrKeys.Baseline) is null).ToList();
        Assert.Equal(2, searched.Count);
        Assert.Equal(["kv-group", "query-head"], searched.Select(t => t.Params["attention_unit"].AsText));
        var heads = searched[1];
        Assert.Equal("query-head", AttrJson.Deserialize<LevelRecord>(heads.UserAttr("levels"))!.Unit);
        Assert.True(BaselineRule.MeetsBudget(heads));
        var plan = AttrJson.Deserialize<PlanSummary>(heads.UserAttr(TrialAttrs.Plan))!;
        Assert.All(plan.Layers.Zip(plan.DenseLayers!), p => Assert.Equal(p.Second.KvHeads, p.First.KvHeads));
        Assert.All(plan.Layers.Zip(plan.DenseLayers!), p => Assert.Equal(0, p.First.Heads % p.First.KvHeads));
    }
}

using System.Diagnostics;
using Search.Optimization.Storage;
using Search.Optimization.Trials;

namespace Search.Tests.Cli;

[Collection(CliCollection.Name)]
public sealed class SearchCliTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("prunesearch-search-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string[] SearchArgs(string db, int trials, int seed = 0, string sampler = "gp") =>
    [
        "search", "--space", CliRunner.Space("quick.json"), "--db", db, "--study", "s", "--trials", trials.ToString(),
        "--sampler", sampler, "--seed", seed.ToString(), "--proxy-windows", "4", "--finalists", "1", "--pool-size", "128",
    ];

    private static List<FrozenTrial> Trials(string db)
    {
        using var storage = new LiteDbStorage(db);
        return storage.GetTrials("s").ToList();
    }

    private static string Fingerprint(FrozenTrial t) =>
        $"{t.Number}:{t.State}:{string.Join(";", t.Params.Select(kv => $"{kv.Key}={kv.Value}"))}:{t.Value:R}";

    [Fact]
    public void Given_a_search_killed_mid_trial_When_rerun_Then_no_trial_is_lost_or_duplicated_and_the_list_equals_an_uninterrupted_run()
    {
        const int total = 14;
        string straight = Path.Combine(dir, "straight.db"), killed = Path.Combine(dir, "killed.db");
        var (exit, _, err) = CliRunner.Run(SearchArgs(straight, total));
        Assert.True(exit == 0, err);

        // A child process, killed (SIGKILL) once it has finished a few trials.
        using (var child = CliRunner.Start(dir, SearchArgs(killed, total)))
        {
            var sw = Stopwatch.StartNew();
            int seen = 0;
            while (seen < 7 && sw.Elapsed < TimeSpan.FromMinutes(4))
            {
                var line = child.StandardOutput.ReadLine();
                if (line is null) break;
                if (line.StartsWith("trial ", StringComparison.Ordinal)) seen++;
            }
            Assert.Equal(7, seen);
            child.Kill(entireProcessTree: true);
            child.WaitForExit();
        }
        var interrupted = Trials(killed);
        Assert.InRange(interrupted.Count, 7, total);
        Assert.True(interrupted.Count < total, "the child finished before it was killed: kill earlier");

        (exit, _, err) = CliRunner.Run(SearchArgs(killed, total));
        Assert.True(exit == 0, err);
        var resumed = Trials(killed);
        var expected = Trials(straight);
        Assert.Equal(Enumerable.Range(0, total), resumed.Select(t => t.Number));
        Assert.All(resumed, t => Assert.Equal(TrialState.Complete, t.State));
        Assert.Equal(expected.Select(Fingerprint), resumed.Select(Fingerprint));
    }

    [Fact]
    public void Given_the_same_seed_When_searching_twice_Then_trials_are_identical_and_another_seed_differs()
    {
        string a = Path.Combine(dir, "a.db"), b = Path.Combine(dir, "b.db"), c = Path.Combine(dir, "c.db");
        foreach (var (db, seed) in new[] { (a, 3), (b, 3), (c, 4) })
        {
            var (exit, _, err) = CliRunner.Run(SearchArgs(db, 13, seed, "random"));
            Assert.True(exit == 0, err);
        }
        Assert.Equal(Trials(a).Select(Fingerprint), Trials(b).Select(Fingerprint));
        Assert.NotEqual(Trials(a).Skip(8).Select(Fingerprint), Trials(c).Skip(8).Select(Fingerprint));
    }

    [Fact]
    public void Given_a_finished_search_When_listing_Then_baselines_and_the_searched_best_have_test_scores()
    {
        string db = Path.Combine(dir, "list.db");
        var (exit, output, err) = CliRunner.Run(SearchArgs(db, 13));
        Assert.True(exit == 0, err);
        Assert.Contains("searched vs hand-set", output);
        Assert.Contains("flap-wifv-al-am-bias", output);
        var trials = Trials(db);
        // quick.json's four published methods, their exact-budget twins and three least-squares twins, then two searched configs.
        Assert.Equal(11, trials.Count(t => t.UserAttr(UserAttrKeys.Baseline) is not null));
        Assert.Equal(12, trials.Count(t => t.UserAttr(Search.Records.TrialAttrs.Final) is not null));
        foreach (var t in trials)
        {
            var plan = Search.Records.AttrJson.Deserialize<Search.Records.PlanSummary>(t.UserAttr(Search.Records.TrialAttrs.Plan))!;
            // Hard budget for every searched config and every exact-budget twin: within one MLP channel
            // (3·hidden params) of the target. The published rules run as published and may land off it.
            string? tag = t.UserAttr(UserAttrKeys.Baseline);
            if (tag is null || tag.EndsWith("-exact", StringComparison.Ordinal))
                Assert.True(Math.Abs(plan.RemovedParams - 0.2 * plan.PrunableParams) <= 3 * 64, $"trial {t.Number}: {plan.AchievedRatio}");
        }
        (exit, output, err) = CliRunner.Run("trials", "--db", db, "--study", "s");
        Assert.True(exit == 0, err);
        Assert.Contains("Complete", output);
        (exit, output, _) = CliRunner.Run("best", "--db", db, "--study", "s");
        Assert.Equal(0, exit);
        Assert.Contains("test ppl: searched", output);
    }
}

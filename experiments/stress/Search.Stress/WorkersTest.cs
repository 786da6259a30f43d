using System.Globalization;
using Search.Optimization.Storage;
using Search.Optimization.Trials;
using Search.Records;

namespace Search.Stress;

/// <summary>
/// Several workers on one LiteDB study (issue 14's "done when"): W copies of the same search
/// command started together, R times on fresh stores, each checked for: every worker exits 0;
/// exactly --trials trials, all Complete; every baseline and the best searched trial finalised
/// (post.final), the seed spread stored once; and, with the random sampler (a pure function of
/// the trial number, so the order workers claim numbers in does not matter), a store equal to a
/// single worker's. The GP and evolutionary samplers read the history, which depends on which
/// worker finished first: there only the structural checks apply, and the kit says so.
/// </summary>
public sealed class WorkersTest(string cli, string work, StressCache cache, int workers, int runs, int trials, int seed, string sampler, Action<string> log)
{
    public const string Study = "workers";

    private string[] SearchArgs(string db) =>
    [
        "search", "--trials", trials.ToString(CultureInfo.InvariantCulture), "--seed", seed.ToString(CultureInfo.InvariantCulture),
        "--study", Study, "--db", db, "--sampler", sampler, "--space", Path.Combine(CliProcess.RepoRoot, "search-spaces", "quick.json"),
        "--proxy-windows", "8", "--finalists", "2", "--pool-size", "128", "--final-tokens", "16384", "--threads", "1",
    ];

    public bool Run()
    {
        bool comparable = sampler == "random";
        log($"checks per run: {workers} workers exit 0 | exactly {trials} trials, all Complete | every baseline and the best searched " +
            $"trial have post.final | one seed spread | " +
            (comparable ? "store equal to a single worker's (random sampler)" : $"({sampler} reads history: no equality with a single worker)"));
        string single = Path.Combine(work, "single-worker.db");
        File.Delete(single);
        List<string>? expected = null;
        if (comparable)
        {
            using var one = CliProcess.Start(cli, work, cache.Root, SearchArgs(single));
            var (exit, error) = one.Wait();
            if (exit != 0) throw new StressException($"the single-worker run failed (exit {exit}): {error.Trim()}");
            expected = StoreSnapshot.Of(single, Study);
        }

        int passed = 0;
        for (int run = 1; run <= runs; run++)
        {
            string db = Path.Combine(work, $"workers-{run}.db");
            File.Delete(db);
            var children = Enumerable.Range(0, workers).Select(_ => CliProcess.Start(cli, work, cache.Root, SearchArgs(db))).ToList();
            var exits = children.Select(c => c.Wait()).ToList();
            foreach (var c in children) c.Dispose();

            var failures = new List<string>();
            for (int w = 0; w < exits.Count; w++)
                if (exits[w].Exit != 0) failures.Add($"worker {w + 1} exit {exits[w].Exit}: {FirstLine(exits[w].Error)}");
            failures.AddRange(CheckStore(db));
            if (expected is not null && StoreSnapshot.FirstDifference(expected, StoreSnapshot.Of(db, Study)) is { } difference)
                failures.Add("differs from the single-worker store at " + difference.ReplaceLineEndings(" "));
            if (failures.Count == 0) passed++;
            log($"run {run}/{runs}: {(failures.Count == 0 ? "PASS" : "FAIL")}" + string.Concat(failures.Select(f => "\n    " + f)));
        }
        log($"{passed}/{runs} runs with {workers} workers passed every check");
        return passed == runs;
    }

    private IEnumerable<string> CheckStore(string db)
    {
        IReadOnlyList<FrozenTrial> stored;
        try
        {
            using var storage = new LiteDbStorage(db);
            stored = storage.GetTrials(Study);
        }
        catch (Exception e)
        {
            return [$"the store cannot be read: {e.GetType().Name}: {FirstLine(e.Message)}"];
        }
        var problems = new List<string>();
        if (stored.Count != trials) problems.Add($"{stored.Count} trials stored for --trials {trials}");
        var notComplete = stored.Where(t => t.State != TrialState.Complete).Select(t => $"{t.Number + 1}:{t.State}").ToList();
        if (notComplete.Count > 0) problems.Add($"not Complete: {string.Join(", ", notComplete)}");
        var baselines = stored.Where(t => t.UserAttr(UserAttrKeys.Baseline) is not null).ToList();
        var unfinalised = baselines.Where(t => t.UserAttr(TrialAttrs.Final) is null).Select(t => t.Number + 1).ToList();
        if (unfinalised.Count > 0) problems.Add($"baselines without post.final: {string.Join(", ", unfinalised)}");
        var bestSearched = stored.Where(t => t.State == TrialState.Complete && t.UserAttr(UserAttrKeys.Baseline) is null && t.Value is not null)
            .MinBy(t => t.Value);
        if (bestSearched is not null && bestSearched.UserAttr(TrialAttrs.Final) is null)
            problems.Add($"the best searched trial ({bestSearched.Number + 1}) has no post.final");
        int spreads = stored.Count(t => t.UserAttr(TrialAttrs.SeedSpread) is not null);
        if (spreads != 1) problems.Add($"{spreads} trials carry a seed spread (expected 1)");
        return problems;
    }

    private static string FirstLine(string s) => s.Trim().Split('\n').LastOrDefault(l => l.StartsWith("error", StringComparison.Ordinal)) ?? s.Trim().Split('\n')[0];
}

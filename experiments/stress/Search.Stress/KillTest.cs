using System.Globalization;

namespace Search.Stress;

/// <summary>Where a kill is aimed.</summary>
public enum Phase
{
    /// <summary>A calibration pool's dense pass (statistics emptied before the run, killed before the pass's log line).</summary>
    Calibration,
    /// <summary>A trial's evaluation (killed between one "trial" line and the next).</summary>
    Trial,
    /// <summary>Finalisation: re-scoring finalists and the seed spread (after the first "final trial" line).</summary>
    Finalisation,
}

/// <summary>
/// kill -9 at random points of a search, then a resume to the end, against an uninterrupted run of
/// the same command: the final stores must be equal line for line (<see cref="StoreSnapshot"/>).
/// Each kill is aimed at a phase by waiting for the line that starts it and then a random delay;
/// what it really hit is read from the lines printed before the kill and reported as such.
/// </summary>
public sealed class KillTest(string cli, string work, StressCache cache, int kills, int trials, int seed, string sampler, Random random, Action<string> log)
{
    public const string Study = "stress";

    private string[] SearchArgs(string db) =>
    [
        "search", "--trials", trials.ToString(CultureInfo.InvariantCulture), "--seed", seed.ToString(CultureInfo.InvariantCulture),
        "--study", Study, "--db", db, "--sampler", sampler, "--space", Path.Combine(CliProcess.RepoRoot, "search-spaces", "quick.json"),
        "--proxy-windows", "8", "--finalists", "2", "--pool-size", "128", "--final-tokens", "16384", "--threads", "2",
    ];

    /// <summary>Runs the test; true when the killed-and-resumed store equals the uninterrupted one.</summary>
    public bool Run()
    {
        string reference = Path.Combine(work, "uninterrupted.db"), killed = Path.Combine(work, "killed.db");
        foreach (var db in new[] { reference, killed }) File.Delete(db);

        cache.Clear();
        log($"uninterrupted: prunesearch {string.Join(' ', SearchArgs("uninterrupted.db"))}");
        using (var straight = CliProcess.Start(cli, work, cache.Root, SearchArgs(reference)))
        {
            var (exit, error) = straight.Wait();
            if (exit != 0) throw new StressException($"the uninterrupted run failed (exit {exit}): {error.Trim()}");
            log($"  done in {straight.Elapsed.TotalSeconds:F1} s, {straight.Seen.Count} lines");
        }

        cache.Clear();
        var plan = Plan(kills);
        var hits = new List<string>();
        bool trialsDone = false;
        for (int attempt = 1; attempt <= plan.Count; attempt++)
        {
            // Once every trial is stored, only finalisation is left to kill.
            var phase = trialsDone ? Phase.Finalisation : plan[attempt - 1];
            if (phase == Phase.Calibration) cache.ClearStatistics();
            using var child = CliProcess.Start(cli, work, cache.Root, SearchArgs(killed));
            string? hit = AimAndKill(child, phase);
            if (hit is null)
            {
                var (exit, error) = child.Wait();
                if (exit != 0) throw new StressException($"run {attempt} failed (exit {exit}): {error.Trim()}");
                log($"kill {attempt}/{plan.Count} ({phase}): the study finished first; no more kills");
                break;
            }
            hits.Add(hit);
            log($"kill {attempt}/{plan.Count} ({phase}): {hit}");
            trialsDone |= child.Seen.Any(l => l.Text.Contains(" already has ", StringComparison.Ordinal)
                                              || l.Text.StartsWith("final trial ", StringComparison.Ordinal)
                                              || l.Text.StartsWith($"trial {trials}/{trials}", StringComparison.Ordinal));
        }

        log("resume to the end: same command");
        using (var resume = CliProcess.Start(cli, work, cache.Root, SearchArgs(killed)))
        {
            var (exit, error) = resume.Wait();
            if (exit != 0) throw new StressException($"the final resume failed (exit {exit}): {error.Trim()}");
        }

        var expected = StoreSnapshot.Of(reference, Study);
        var actual = StoreSnapshot.Of(killed, Study);
        string? difference = StoreSnapshot.FirstDifference(expected, actual);
        var byPhase = hits.GroupBy(h => h.Split(':')[0]).Select(g => $"{g.Count()} {g.Key}");
        log($"{hits.Count} kills ({string.Join(", ", byPhase)}); final store {(difference is null ? "identical" : "DIFFERENT")} " +
            $"to the uninterrupted run ({expected.Count} lines: trials, params, values, scores, final annotations)");
        if (difference is not null) log(difference);
        return difference is null;
    }

    /// <summary>
    /// Calibration and trial kills alternate first; finalisation kills last (once they start, no trial
    /// is left). A plan that runs out of trials early moves on to finalisation at once.
    /// </summary>
    private static List<Phase> Plan(int kills)
    {
        int final = Math.Max(1, kills / 3);
        var plan = new List<Phase>();
        for (int i = 0; i < kills - final; i++) plan.Add(i % 2 == 0 ? Phase.Calibration : Phase.Trial);
        for (int i = 0; i < final; i++) plan.Add(Phase.Finalisation);
        return plan;
    }

    /// <summary>
    /// Waits for the line that opens <paramref name="phase"/>, waits a random delay and kills; returns
    /// "phase: what was running" as observed, or null when the child exited before a kill.
    /// </summary>
    private string? AimAndKill(CliProcess child, Phase phase)
    {
        Func<string, bool> opens = phase switch
        {
            // Printed after setup, right before the first remaining trial (or finalisation) asks for its pool.
            Phase.Calibration => l => l.StartsWith("study '", StringComparison.Ordinal),
            Phase.Trial => l => l.StartsWith("trial ", StringComparison.Ordinal),
            _ => l => l.StartsWith("final trial ", StringComparison.Ordinal),
        };
        // Skip a random number of opening lines for trial/final kills, so kills spread over the run.
        int skip = phase == Phase.Calibration ? 0 : random.Next(0, 3);
        TimedLine? trigger = null;
        while (child.Next(TimeSpan.FromMinutes(5)) is { } line)
        {
            if (!opens(line.Text)) continue;
            trigger = line;
            if (skip-- <= 0) break;
        }
        if (trigger is null) return null;
        // Delays up to ~a pass or a trial on the embedded model (0.1–0.6 s on 2 cores).
        Thread.Sleep(TimeSpan.FromMilliseconds(random.Next(0, phase == Phase.Finalisation ? 900 : 400)));
        var after = child.Drain();
        if (child.HasExited) return null;
        child.KillHard();
        double ms = (child.Elapsed - trigger.At).TotalMilliseconds;
        var last = after.Count > 0 ? after[^1] : trigger;
        return $"{Observed(last.Text, phase)}: killed {ms:F0} ms after \"{Short(trigger.Text)}\", last line \"{Short(last.Text)}\"";
    }

    /// <summary>What the child was doing, judged from its last printed line.</summary>
    private static string Observed(string lastLine, Phase aimed)
    {
        if (lastLine.StartsWith("final trial", StringComparison.Ordinal) || lastLine.StartsWith("seed spread", StringComparison.Ordinal))
            return "finalisation";
        if (lastLine.StartsWith("study '", StringComparison.Ordinal))
            return aimed == Phase.Calibration ? "calibration" : "start";
        if (lastLine.StartsWith("calibration pool", StringComparison.Ordinal))
            return aimed == Phase.Finalisation ? "finalisation" : "trial";
        return lastLine.StartsWith("trial ", StringComparison.Ordinal) ? "trial" : "other";
    }

    private static string Short(string line) => line.Length <= 60 ? line : line[..57] + "...";
}

using Search.Optimization.Storage;
using Search.Optimization.Trials;
using Search.Records;

namespace Search.Bench;

/// <summary>A scale study read back: trials per hour over the searched trials and the median per-trial split.</summary>
public static class ScaleSummary
{
    public static void Run(string db, string study)
    {
        using var storage = StorageLocator.Open(db, readOnly: true);
        var trials = storage.GetTrials(study).Where(t => t.State == TrialState.Complete).ToList();
        var timed = trials.Select(t => (Trial: t, Timings: AttrJson.TryDeserialize<TrialTimings>(t.UserAttr(TrialAttrs.Timings))))
            .Where(x => x.Timings is not null).ToList();
        // Steady state: the trials after the first that used each calibration pool (those include its one dense pass).
        var steady = timed.Where(x => x.Timings!.Statistics < 5).ToList();
        double Median(IEnumerable<double> xs)
        {
            var s = xs.Order().ToArray();
            return s.Length == 0 ? double.NaN : s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
        }
        var wall = trials.Max(t => t.EndUtc!.Value) - trials.Min(t => t.StartUtc);
        Console.WriteLine($"| study | complete trials | wall (trials) | trials/hour (all) | trials/hour (steady) | median stats s | scoring s | surgery s | eval s | reconstruction s | pool passes |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        double steadyPerTrial = Median(steady.Select(x => x.Timings!.Total));
        Console.WriteLine($"| {study} | {trials.Count} | {wall:hh\\:mm\\:ss} | {trials.Count / wall.TotalHours:F1} | {3600 / steadyPerTrial:F1} | " +
                          $"{Median(steady.Select(x => x.Timings!.Statistics)):F2} | {Median(steady.Select(x => x.Timings!.Scoring)):F2} | " +
                          $"{Median(steady.Select(x => x.Timings!.Surgery)):F2} | {Median(steady.Select(x => x.Timings!.Eval)):F2} | " +
                          $"{Median(steady.Select(x => x.Timings!.Reconstruction)):F2} | {timed.Count - steady.Count} |");
    }
}

using Search.Optimization.Samplers;
using Search.Optimization.Trials;
using Search.Pruning.Statistics;
using Search.Records;

namespace Search.Objective;

/// <summary>
/// The seconds a candidate config is expected to cost, from the timings stored with the study's trials
/// (<see cref="TrialTimings"/>) — a pure function of the history, so a resumed study prices candidates
/// exactly as an uninterrupted one (docs/methods.md, "Cost-aware proposals"):
/// <code>
///   cost(x) = E + (x refits ? R : 0) + ρ · (new calibration windows of x) · seqlen(x)
/// </code>
/// E is the median over timed Complete trials of scoring + surgery + evaluation; R the median refit
/// (Reconstruction) time of least-squares trials (E before one is timed); ρ the seconds per token of
/// dense pass, the largest rate a trial that extended a pool showed (a cache hit never makes a pass look
/// free), or E per proxy token before any pass was timed. A candidate's new windows are its snapped
/// sample count above the extent its pool reached over the history (lazy pools: every trial of the
/// history, Running ones included, extended its pool to its rung if its recipe needed statistics).
/// </summary>
public sealed class TrialCostModel(int poolSize, int proxyTokens, IReadOnlyList<string> mixComponents) : IProposalCost
{
    public Func<IReadOnlyDictionary<string, ParamValue>, double>? For(IReadOnlyList<FrozenTrial> history)
    {
        var extents = new Dictionary<(string, int, int), int>();
        var baseSeconds = new List<double>();
        var refitSeconds = new List<double>();
        double? rate = null;
        foreach (var t in history.OrderBy(t => t.Number))
        {
            var pool = PoolOf(t.Params);
            int newTokens = 0;
            if (pool is var (key, rung, seqLen))
            {
                int extent = extents.GetValueOrDefault(key);
                if (rung > extent)
                {
                    newTokens = (rung - extent) * seqLen;
                    extents[key] = rung;
                }
            }
            if (t.State != TrialState.Complete || AttrJson.TryDeserialize<TrialTimings>(t.UserAttr(TrialAttrs.Timings)) is not { } timing) continue;
            baseSeconds.Add(timing.Scoring + timing.Surgery + timing.Eval);
            if (Refits(t.Params)) refitSeconds.Add(timing.Reconstruction);
            if (newTokens > 0 && timing.Statistics > 0) rate = Math.Max(rate ?? 0, timing.Statistics / newTokens);
        }
        if (baseSeconds.Count == 0) return null;
        double e = Median(baseSeconds);
        double r = refitSeconds.Count > 0 ? Median(refitSeconds) : e;
        double perToken = rate ?? e / Math.Max(1, proxyTokens);
        return candidate =>
        {
            double seconds = e + (Refits(candidate) ? r : 0);
            if (PoolOf(candidate) is var (key, rung, seqLen) && rung > extents.GetValueOrDefault(key))
                seconds += perToken * (rung - extents.GetValueOrDefault(key)) * seqLen;
            return seconds;
        };
    }

    /// <summary>The pool a config's statistics extend and to which rung; null when its recipe needs no statistics or it names no pool.</summary>
    private ((string, int, int) Key, int Rung, int SeqLen)? PoolOf(IReadOnlyDictionary<string, ParamValue> parameters)
    {
        TrialParams p;
        try { p = TrialParams.Decode(parameters, mixComponents); }
        catch (RecordInputException) { return null; }
        if (p.CalibrationSource is not { } source || p.CalibrationSamples is not int samples || p.CalibrationSeqLen is not int seqLen
            || p.CalibrationSeed is not int seed || samples < 1)
            return null;
        bool needsStatistics = p.Compensation is not (null or "none")
            || p.ActiveMix.Any(kv => !kv.Key.StartsWith("magnitude", StringComparison.OrdinalIgnoreCase));
        if (!needsStatistics) return null;
        return ((source, seqLen, seed), CalibrationLadder.Snap(Math.Min(samples, poolSize), poolSize), seqLen);
    }

    private bool Refits(IReadOnlyDictionary<string, ParamValue> parameters)
    {
        try { return TrialParams.Decode(parameters, mixComponents).Compensation is "ls" or "ls-seq" or "least-squares" or "least-squares-sequential"; }
        catch (RecordInputException) { return false; }
    }

    private static double Median(List<double> values)
    {
        var s = values.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}

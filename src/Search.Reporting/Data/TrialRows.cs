using System.Globalization;
using Search.Optimization.Trials;
using Search.Records;

namespace Search.Reporting.Data;

/// <summary>
/// A study's trials as one flat table (README "Trials as data"): one row per trial, a column per
/// param (vectors as <c>param.NAME[i]</c>), per score (value, split, tokens, seqlen, bos), plan,
/// timings, final scores, seed spread, measured speed and error. Cells are a string, a long, a
/// double or null (missing). Param and score columns are the union over the trials in order of
/// first appearance; every other column is always present, so a script sees a fixed schema.
/// </summary>
public sealed record TrialRows(IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyDictionary<string, object?>> Rows)
{
    /// <summary>Columns after the params and scores, in order (see README for their meaning).</summary>
    public static readonly IReadOnlyList<string> FixedColumns =
    [
        "target_ratio", "achieved_ratio", "prunable_params", "removed_params", "params_before", "params_after", "widths",
        "time.statistics", "time.scoring", "time.reconstruction", "time.surgery", "time.eval", "time.total",
        "final.search_split", "final.search_ppl", "final.search_tokens", "final.test_split", "final.test_ppl", "final.test_tokens", "final.seconds",
        "seed_spread",
        "speed.threads", "speed.prompt_tokens", "speed.new_tokens", "speed.repeats", "speed.cpu",
        "speed.torch.prefill_tps", "speed.torch.decode_tps", "speed.torch.dense_prefill_tps", "speed.torch.dense_decode_tps",
        "speed.torch.prefill_speedup", "speed.torch.decode_speedup",
        "speed.llama_cpp.prefill_tps", "speed.llama_cpp.decode_tps", "speed.llama_cpp.dense_prefill_tps", "speed.llama_cpp.dense_decode_tps",
        "speed.llama_cpp.prefill_speedup", "speed.llama_cpp.decode_speedup",
        "fidelity_tokens", "start_utc", "end_utc", "error",
    ];

    /// <summary>Columns before the params.</summary>
    public static readonly IReadOnlyList<string> LeadingColumns = ["number", "state", "baseline", "value"];

    public static TrialRows Of(IReadOnlyList<FrozenTrial> trials)
    {
        var paramColumns = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Column(string c)
        {
            if (seen.Add(c)) paramColumns.Add(c);
        }
        var rows = new List<IReadOnlyDictionary<string, object?>>();
        var scoreColumns = new List<string>();
        var taskColumns = new List<string>();
        foreach (var t in trials)
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["number"] = (long)(t.Number + 1),
                ["state"] = t.State.ToString(),
                ["baseline"] = t.UserAttr(UserAttrKeys.Baseline),
                ["value"] = t.Value,
            };
            foreach (var (name, value) in t.Params)
            {
                if (value.Kind == ParamValueKind.Vector)
                    for (int i = 0; i < value.AsVector.Count; i++)
                    {
                        string c = $"param.{name}[{i.ToString(CultureInfo.InvariantCulture)}]";
                        Column(c);
                        row[c] = value.AsVector[i];
                    }
                else
                {
                    string c = $"param.{name}";
                    Column(c);
                    row[c] = value.Kind switch
                    {
                        ParamValueKind.Integer => value.AsInteger,
                        ParamValueKind.Real => value.AsReal,
                        _ => value.AsText,
                    };
                }
            }
            var names = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var s in t.Scores)
            {
                // A name measured twice (several fidelities) gets .2, .3, … on its later columns.
                int k = names[s.Name] = names.GetValueOrDefault(s.Name) + 1;
                string p = k == 1 ? $"score.{s.Name}" : $"score.{s.Name}.{k.ToString(CultureInfo.InvariantCulture)}";
                foreach (var (suffix, cell) in new (string, object?)[] { ("", s.Value), (".split", s.Split), (".tokens", s.Tokens), (".seqlen", (long)s.SeqLen), (".bos", s.Bos) })
                {
                    if (!scoreColumns.Contains(p + suffix)) scoreColumns.Add(p + suffix);
                    row[p + suffix] = cell;
                }
            }
            Fixed(t, row);
            // Task accuracies (search --final-tasks): one column per task and metric, named task.TASK.METRIC, after the fixed ones.
            foreach (var c in row.Keys.Where(k => k.StartsWith("task.", StringComparison.Ordinal)))
                if (!taskColumns.Contains(c)) taskColumns.Add(c);
            rows.Add(row);
        }
        var columns = LeadingColumns.Concat(paramColumns).Concat(scoreColumns).Concat(FixedColumns).Concat(taskColumns).ToList();
        return new TrialRows(columns, rows.Select(r => (IReadOnlyDictionary<string, object?>)columns.ToDictionary(c => c, c => r.GetValueOrDefault(c))).ToList());
    }

    private static void Fixed(FrozenTrial t, Dictionary<string, object?> row)
    {
        if (AttrJson.TryDeserialize<PlanSummary>(t.UserAttr(TrialAttrs.Plan)) is { } plan)
        {
            row["target_ratio"] = plan.TargetRatio;
            row["achieved_ratio"] = plan.AchievedRatio;
            row["prunable_params"] = plan.PrunableParams;
            row["removed_params"] = plan.RemovedParams;
            row["params_before"] = plan.TotalParamsBefore;
            row["params_after"] = plan.TotalParamsAfter;
            row["widths"] = string.Join(" ", plan.Layers.Select(l => $"{l.Heads}/{l.KvHeads}/{l.Channels}"));
        }
        if (AttrJson.TryDeserialize<TrialTimings>(t.UserAttr(TrialAttrs.Timings)) is { } time)
        {
            row["time.statistics"] = time.Statistics;
            row["time.scoring"] = time.Scoring;
            row["time.reconstruction"] = time.Reconstruction;
            row["time.surgery"] = time.Surgery;
            row["time.eval"] = time.Eval;
            row["time.total"] = time.Total;
        }
        if (AttrJson.TryDeserialize<FinalScores>(t.UserAttr(TrialAttrs.Final)) is { } final)
        {
            row["final.search_split"] = final.SearchSplit;
            row["final.search_ppl"] = final.SearchPpl;
            row["final.search_tokens"] = final.SearchTokens;
            row["final.test_split"] = final.TestSplit;
            row["final.test_ppl"] = final.TestPpl;
            row["final.test_tokens"] = final.TestTokens;
            row["final.seconds"] = final.Seconds;
        }
        if (AttrJson.TryDeserialize<SeedSpread>(t.UserAttr(TrialAttrs.SeedSpread)) is { } spread)
            row["seed_spread"] = spread.Spread;
        if (AttrJson.TryDeserialize<TrialSpeed>(t.UserAttr(TrialAttrs.Speed)) is { } speed)
        {
            row["speed.threads"] = (long)speed.Threads;
            row["speed.prompt_tokens"] = (long)speed.Protocol.PromptTokens;
            row["speed.new_tokens"] = (long)speed.Protocol.NewTokens;
            row["speed.repeats"] = (long)speed.Protocol.Repeats;
            row["speed.cpu"] = speed.Machine.Cpu;
            Runtime("speed.torch.", speed.TorchSharp, row);
            if (speed.LlamaCpp is { } l) Runtime("speed.llama_cpp.", l, row);
        }
        if (AttrJson.TryDeserialize<TaskScores>(t.UserAttr(TrialAttrs.Tasks)) is { } tasks)
        {
            foreach (var task in tasks.Tasks)
            {
                row[$"task.{task.Task}.items"] = (long)task.Items;
                foreach (var m in task.Metrics)
                {
                    row[$"task.{task.Task}.{m.Metric}"] = m.Value;
                    row[$"task.{task.Task}.{m.Metric}_stderr"] = m.Stderr;
                }
            }
            row["task.mean_acc"] = tasks.MeanAcc;
            row["task.mean_acc_norm_or_acc"] = tasks.MeanHeadline;
            row["task.bos"] = tasks.Bos;
        }
        row["fidelity_tokens"] = t.FidelityTokens;
        row["start_utc"] = t.StartUtc.ToString("O", CultureInfo.InvariantCulture);
        row["end_utc"] = t.EndUtc?.ToString("O", CultureInfo.InvariantCulture);
        row["error"] = t.Error;
    }

    private static void Runtime(string prefix, RuntimeSpeed r, Dictionary<string, object?> row)
    {
        row[prefix + "prefill_tps"] = r.Model.PrefillTokensPerSecond;
        row[prefix + "decode_tps"] = r.Model.DecodeTokensPerSecond;
        row[prefix + "dense_prefill_tps"] = r.Dense.PrefillTokensPerSecond;
        row[prefix + "dense_decode_tps"] = r.Dense.DecodeTokensPerSecond;
        row[prefix + "prefill_speedup"] = r.PrefillSpeedup;
        row[prefix + "decode_speedup"] = r.DecodeSpeedup;
    }
}

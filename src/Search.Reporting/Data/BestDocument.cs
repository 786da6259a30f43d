using System.Text.Json;
using System.Text.Json.Nodes;
using Search.Optimization.Trials;
using Search.Records;

namespace Search.Reporting.Data;

/// <summary>
/// <c>best --json</c>: the best searched trial (<see cref="SearchedRule"/>: on the search split among
/// finalists, by proxy while none is finalised — the trial <c>export --trial best</c> writes), every
/// hand-set baseline, the best baseline by <see cref="BaselineRule"/>, and the comparison on the
/// test split (<see cref="BaselineComparison"/>) — each trial as its <see cref="TrialRows"/> row, so
/// the keys are those of <c>trials --format json</c>.
/// </summary>
public static class BestDocument
{
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Json(string study, IReadOnlyList<FrozenTrial> trials)
    {
        var rows = TrialRows.Of(trials);
        JsonObject? Row(FrozenTrial? t) => t is null ? null : TrialRowsText.Object(rows.Columns, rows.Rows[IndexOf(trials, t)]);
        var best = SearchedRule.Best(trials);
        var bestBaseline = BaselineRule.Best(trials);
        var doc = new JsonObject
        {
            ["study"] = study,
            ["best"] = Row(best),
            ["best_finalized"] = best is null ? null : SearchedRule.IsFinalized(best),
            ["best_baseline"] = Row(bestBaseline),
            ["baselines"] = new JsonArray(trials.Where(t => t.State == TrialState.Complete && t.UserAttr(UserAttrKeys.Baseline) is not null)
                .Select(t => (JsonNode?)Row(t)).ToArray()),
        };
        if (BaselineComparison.Of(trials) is { } c)
        {
            doc["test_ppl_margin"] = c.Margin;
            doc["test_ppl_gain"] = c.Gain;
            doc["seed_spread"] = c.Spread?.Spread;
            doc["margin_exceeds_seed_spread"] = c.MarginExceedsSpread;
        }
        return doc.ToJsonString(Indented) + "\n";
    }

    private static int IndexOf(IReadOnlyList<FrozenTrial> trials, FrozenTrial t)
    {
        for (int i = 0; i < trials.Count; i++)
            if (trials[i].Number == t.Number) return i;
        throw new ArgumentException($"trial {t.Number} is not in the list");
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Search.Optimization.Trials;
using Search.Records;

namespace Search.Reporting.Data;

/// <summary>
/// <c>best --json</c>: the best searched trial (lowest search-split ppl among finalists), every
/// hand-set baseline, the best baseline by <see cref="BaselineRule"/>, and the comparison on the
/// test split — each trial as its <see cref="TrialRows"/> row, so the keys are those of
/// <c>trials --format json</c>.
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
        FinalScores? Final(FrozenTrial t) => AttrJson.TryDeserialize<FinalScores>(t.UserAttr(TrialAttrs.Final));
        var finals = trials.Where(t => t.State == TrialState.Complete && Final(t) is not null).ToList();
        var best = finals.Where(t => t.UserAttr(UserAttrKeys.Baseline) is null)
            .OrderBy(t => Final(t)!.SearchPpl).ThenBy(t => t.Number).FirstOrDefault();
        var bestBaseline = BaselineRule.Best(trials);
        var doc = new JsonObject
        {
            ["study"] = study,
            ["best"] = Row(best),
            ["best_baseline"] = Row(bestBaseline),
            ["baselines"] = new JsonArray(trials.Where(t => t.State == TrialState.Complete && t.UserAttr(UserAttrKeys.Baseline) is not null)
                .Select(t => (JsonNode?)Row(t)).ToArray()),
        };
        if (best is not null && bestBaseline is not null)
        {
            double b = Final(bestBaseline)!.TestPpl, s = Final(best)!.TestPpl;
            doc["test_ppl_margin"] = b - s;
            doc["test_ppl_gain"] = (b - s) / b;
            var spread = AttrJson.TryDeserialize<SeedSpread>(bestBaseline.UserAttr(TrialAttrs.SeedSpread));
            doc["seed_spread"] = spread?.Spread;
            doc["margin_exceeds_seed_spread"] = spread is null ? null : b - s > spread.Spread;
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

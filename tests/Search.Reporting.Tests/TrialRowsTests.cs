using System.Text.Json;
using Search.Optimization.Storage;
using Search.Optimization.Trials;
using Search.Records;
using Search.Reporting.Data;

namespace Search.Reporting.Tests;

/// <summary>The flat trial table behind <c>trials --format json|csv</c>: columns, missing cells, non-finite numbers, quoting.</summary>
public sealed class TrialRowsTests
{
    private static IReadOnlyList<FrozenTrial> Trials(Action<InMemoryStorage>? more = null)
    {
        var storage = new InMemoryStorage();
        SyntheticStudy.Create(storage, "s");
        more?.Invoke(storage);
        return storage.GetTrials("s");
    }

    [Fact]
    public void Given_stored_trials_When_flattened_Then_params_scores_and_fixed_columns_come_in_order_with_vectors_by_index()
    {
        var rows = TrialRows.Of(Trials());
        Assert.Equal(["number", "state", "baseline", "value", "param.calibration_source", "param.calibration_samples", "param.calibration_seqlen",
            "param.calibration_seed", "param.metric_mix[0]", "param.metric_mix[1]", "param.metric_mix[2]", "param.metric_mix[3]", "param.metric_mix[4]",
            "param.structure", "param.compensation", "score.ppl", "score.ppl.split", "score.ppl.tokens", "score.ppl.seqlen", "score.ppl.bos"],
            rows.Columns.Take(20));
        Assert.Equal(TrialRows.FixedColumns, rows.Columns.Skip(20));
        Assert.Equal(5, rows.Rows.Count);
        var searched = rows.Rows[2];
        Assert.Equal(3L, searched["number"]);
        Assert.Null(searched["baseline"]);
        Assert.Equal(0.5, searched["param.metric_mix[0]"]);
        Assert.Equal(32L, searched["param.calibration_samples"]);
        Assert.Equal(9.88, searched["final.test_ppl"]);
        Assert.Equal(1.0, (double)searched["time.total"]!, 12);
        var failed = rows.Rows[4];
        Assert.Equal("Failed", failed["state"]);
        Assert.Null(failed["value"]);
        Assert.Null(failed["score.ppl"]);
        Assert.Equal("perplexity is NaN", failed["error"]);
    }

    [Fact]
    public void Given_a_non_finite_score_and_a_comma_When_written_Then_csv_and_json_keep_them_readable()
    {
        var trials = Trials(storage =>
        {
            storage.TryCreateTrial("s", new FrozenTrial(5, TrialState.Running, new Dictionary<string, ParamValue> { ["structure"] = ParamValue.Of("a,\"b\"") },
                null, [], new Dictionary<string, string>(), null, DateTime.UtcNow, null, 1, "w"));
            storage.FinishTrial("s", 5, TrialOutcome.Failed("inf, then NaN", [new TrialScore("ppl", double.PositiveInfinity, "valid", 10, 8, "corpus")]), DateTime.UtcNow);
        });
        var rows = TrialRows.Of(trials);
        string csv = TrialRowsText.Csv(rows);
        var last = csv.TrimEnd('\n').Split('\n')[^1];
        Assert.StartsWith("6,Failed,,,", last);
        Assert.Contains(",\"a,\"\"b\"\"\",", last);
        Assert.Contains(",Infinity,valid,10,8,corpus,", last);
        Assert.Contains("\"inf, then NaN\"", last);
        using var doc = JsonDocument.Parse(TrialRowsText.Json(rows));
        var row = doc.RootElement[5];
        Assert.Equal("Infinity", row.GetProperty("score.ppl").GetString());
        Assert.Equal("a,\"b\"", row.GetProperty("param.structure").GetString());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("value").ValueKind);
        Assert.Equal(rows.Columns, row.EnumerateObject().Select(p => p.Name));
    }
}

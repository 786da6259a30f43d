using System.Globalization;
using System.Text.Json;
using Search.Optimization.Trials;
using Search.Records;
using Search.Tests.Cli;

namespace Search.Tests.Deploy;

/// <summary><c>trials --format json|csv</c> and <c>best --json</c> read back and compared field by field with the store.</summary>
[Collection(DeployCollection.Name)]
public sealed class TrialsDataTests(TimedStudy study)
{
    private static double D(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    [Fact]
    public void Given_a_timed_study_When_trials_are_printed_as_json_Then_every_row_matches_the_store()
    {
        var run = CliRun.Of("trials", "--db", study.Db, "--study", TimedStudy.Study, "--format", "json");
        Assert.True(run.ExitCode == 0, run.Error);
        using var doc = JsonDocument.Parse(run.Output);
        var rows = doc.RootElement.EnumerateArray().ToList();
        var trials = study.Trials();
        Assert.Equal(trials.Count, rows.Count);
        foreach (var (t, row) in trials.Zip(rows))
        {
            Assert.Equal(t.Number + 1, row.GetProperty("number").GetInt32());
            Assert.Equal(t.State.ToString(), row.GetProperty("state").GetString());
            Assert.Equal(t.UserAttr(UserAttrKeys.Baseline), row.GetProperty("baseline").GetString());
            if (t.Value is double v) Assert.Equal(v, row.GetProperty("value").GetDouble());
            else Assert.Equal(JsonValueKind.Null, row.GetProperty("value").ValueKind);
            foreach (var (name, value) in t.Params)
            {
                if (value.Kind == ParamValueKind.Vector)
                    for (int i = 0; i < value.AsVector.Count; i++) Assert.Equal(value.AsVector[i], row.GetProperty($"param.{name}[{i}]").GetDouble());
                else if (value.Kind == ParamValueKind.Text) Assert.Equal(value.AsText, row.GetProperty($"param.{name}").GetString());
                else Assert.Equal(value.AsReal, row.GetProperty($"param.{name}").GetDouble());
            }
            foreach (var s in t.Scores)
            {
                Assert.Equal(s.Value, row.GetProperty($"score.{s.Name}").GetDouble());
                Assert.Equal(s.Split, row.GetProperty($"score.{s.Name}.split").GetString());
                Assert.Equal(s.Tokens, row.GetProperty($"score.{s.Name}.tokens").GetInt64());
            }
            var plan = AttrJson.Deserialize<PlanSummary>(t.UserAttr(TrialAttrs.Plan))!;
            Assert.Equal(plan.AchievedRatio, row.GetProperty("achieved_ratio").GetDouble());
            Assert.Equal(plan.TotalParamsAfter, row.GetProperty("params_after").GetInt64());
            var timings = AttrJson.Deserialize<TrialTimings>(t.UserAttr(TrialAttrs.Timings))!;
            Assert.Equal(timings.Total, row.GetProperty("time.total").GetDouble());
            if (AttrJson.Deserialize<FinalScores>(t.UserAttr(TrialAttrs.Final)) is { } f)
            {
                Assert.Equal(f.TestPpl, row.GetProperty("final.test_ppl").GetDouble());
                Assert.Equal(f.TestTokens, row.GetProperty("final.test_tokens").GetInt64());
                Assert.Equal(f.SearchSplit, row.GetProperty("final.search_split").GetString());
            }
            else Assert.Equal(JsonValueKind.Null, row.GetProperty("final.test_ppl").ValueKind);
            if (AttrJson.Deserialize<TrialSpeed>(t.UserAttr(TrialAttrs.Speed)) is { } sp)
            {
                Assert.Equal(sp.TorchSharp.Model.DecodeTokensPerSecond, row.GetProperty("speed.torch.decode_tps").GetDouble());
                Assert.Equal(sp.TorchSharp.DecodeSpeedup, row.GetProperty("speed.torch.decode_speedup").GetDouble());
                Assert.Equal(sp.LlamaCpp!.Dense.DecodeTokensPerSecond, row.GetProperty("speed.llama_cpp.dense_decode_tps").GetDouble());
            }
            Assert.Equal(t.Error, row.GetProperty("error").GetString());
        }
    }

    [Fact]
    public void Given_a_timed_study_When_trials_are_printed_as_csv_Then_it_parses_back_to_the_json_rows()
    {
        var csv = CliRun.Of("trials", "--db", study.Db, "--study", TimedStudy.Study, "--format", "csv");
        var json = CliRun.Of("trials", "--db", study.Db, "--study", TimedStudy.Study, "--format", "json");
        Assert.True(csv.ExitCode == 0, csv.Error);
        var records = CsvText.Records(csv.Output);
        using var doc = JsonDocument.Parse(json.Output);
        var rows = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(rows.Count, records.Count);
        Assert.Equal(rows[0].EnumerateObject().Select(p => p.Name), CsvText.Parse(csv.Output)[0]);
        foreach (var (record, row) in records.Zip(rows))
            foreach (var p in row.EnumerateObject())
            {
                string cell = record[p.Name];
                switch (p.Value.ValueKind)
                {
                    case JsonValueKind.Null: Assert.Equal("", cell); break;
                    case JsonValueKind.String: Assert.Equal(p.Value.GetString(), cell); break;
                    default: Assert.Equal(p.Value.GetDouble(), D(cell)); break; // numbers round-trip exactly
                }
            }
        // Every trial's stored proxy ppl and params survive the text round trip.
        var trials = study.Trials();
        Assert.Equal(trials.Select(t => t.Value), records.Select(r => (double?)D(r["value"])));
        Assert.Equal(trials.Select(t => t.Params["structure"].AsText), records.Select(r => r["param.structure"]));
    }

    [Fact]
    public void Given_a_finished_study_When_best_is_printed_as_json_Then_it_names_the_table_s_best_and_the_yardstick()
    {
        var run = CliRun.Of("best", "--db", study.Db, "--study", TimedStudy.Study, "--json");
        var best = run.Json();
        var trials = study.Trials();
        var finals = trials.Where(t => t.UserAttr(TrialAttrs.Final) is not null).ToList();
        var expected = finals.Where(t => t.UserAttr(UserAttrKeys.Baseline) is null)
            .MinBy(t => AttrJson.Deserialize<FinalScores>(t.UserAttr(TrialAttrs.Final))!.SearchPpl)!;
        Assert.Equal(expected.Number + 1, best.GetProperty("best").GetProperty("number").GetInt32());
        var yardstick = BaselineRule.Best(trials)!;
        Assert.Equal(yardstick.Number + 1, best.GetProperty("best_baseline").GetProperty("number").GetInt32());
        Assert.Equal(trials.Count(t => t.UserAttr(UserAttrKeys.Baseline) is not null), best.GetProperty("baselines").GetArrayLength());
        double b = AttrJson.Deserialize<FinalScores>(yardstick.UserAttr(TrialAttrs.Final))!.TestPpl;
        double s = AttrJson.Deserialize<FinalScores>(expected.UserAttr(TrialAttrs.Final))!.TestPpl;
        Assert.Equal(b - s, best.GetProperty("test_ppl_margin").GetDouble(), 12);
        Assert.Equal(AttrJson.Deserialize<SeedSpread>(yardstick.UserAttr(TrialAttrs.SeedSpread))!.Spread, best.GetProperty("seed_spread").GetDouble());
    }

    [Fact]
    public void Given_an_unknown_trials_format_When_listing_Then_one_line_and_exit_2()
    {
        var run = CliRun.Of("trials", "--db", study.Db, "--study", TimedStudy.Study, "--format", "xml");
        Assert.Equal(CliRun.UserError, run.ExitCode);
        Assert.Single(run.Error.TrimEnd('\n').Split('\n'));
        Assert.Contains("expected table, json or csv", run.Error);
    }
}

using System.Text.Json;
using Search.Optimization.Storage;
using Search.Optimization.Trials;
using Search.Records;
using Search.Reporting.Data;

namespace Search.Reporting.Tests;

/// <summary>
/// <c>best</c> (<see cref="BestDocument"/>), <c>export --trial best</c>, <c>compare</c> and the reports
/// (<see cref="StudySummary"/>) name the same best searched trial, finalised or not (issue 21).
/// </summary>
public sealed class BestSearchedTests
{
    private static StudyData Study(bool finalized)
    {
        var storage = new InMemoryStorage();
        SyntheticStudy.Create(storage, "s");
        var data = StudyData.Load(storage, "s", "mem");
        if (finalized) return data;
        // A study stopped before its finalists were scored: no trial has final scores yet.
        var trials = data.Trials.Select(t => t with
        {
            UserAttrs = t.UserAttrs.Where(kv => kv.Key != TrialAttrs.Final).ToDictionary(kv => kv.Key, kv => kv.Value),
        }).ToList();
        return data with { Trials = trials };
    }

    private static int? BestNumberInJson(StudyData data)
    {
        using var doc = JsonDocument.Parse(BestDocument.Json(data.Name, data.Trials));
        var best = doc.RootElement.GetProperty("best");
        return best.ValueKind == JsonValueKind.Null ? null : best.GetProperty("number").GetInt32();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Best_and_export_name_the_same_trial_finalized_or_not(bool finalized)
    {
        var data = Study(finalized);
        var exported = new StudySummary(data).BestSearched!;

        Assert.Equal(exported.DisplayNumber, BestNumberInJson(data));
        Assert.Equal(SearchedRule.Best(data.Trials)!.Number, exported.Number);
    }

    [Fact]
    public void On_an_unfinalized_study_best_says_its_trial_was_chosen_by_proxy_and_gives_no_verdict()
    {
        var data = Study(finalized: false);
        using var doc = JsonDocument.Parse(BestDocument.Json(data.Name, data.Trials));
        Assert.False(doc.RootElement.GetProperty("best_finalized").GetBoolean());
        Assert.False(doc.RootElement.TryGetProperty("test_ppl_margin", out _));
        Assert.Null(new StudySummary(data).Comparison);
    }
}

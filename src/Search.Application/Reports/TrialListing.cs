using Search.Application.Stores;
using Search.Application.Views;
using Search.Records;
using Search.Reporting;
using Search.Reporting.Data;

namespace Search.Application.Reports;

/// <summary>How <c>trials</c> prints a study: a table for reading, or every stored field as JSON or CSV rows.</summary>
public enum TrialListFormat
{
    Table,
    Json,
    Csv,
}

/// <summary><c>trials</c> and <c>best</c>: a study read from its store alone (read-only, damage as one line naming the file).</summary>
public static class TrialListing
{
    public static void Trials(TextWriter output, string db, string study, TrialListFormat format)
    {
        var (record, trials) = StudyStores.ReadTrials(db, study);
        if (format == TrialListFormat.Table) StudyTables.List(output, record.Name, TrialParams.MixComponentsOf(record.SpaceJson), trials);
        else output.Write(format == TrialListFormat.Json ? TrialRowsText.Json(TrialRows.Of(trials)) : TrialRowsText.Csv(TrialRows.Of(trials)));
    }

    /// <summary>The best searched trial (<see cref="SearchedRule"/>) next to the hand-set baselines, as the summary table or JSON.</summary>
    public static void Best(TextWriter output, string db, string study, bool json)
    {
        var (record, trials) = StudyStores.ReadTrials(db, study);
        StudyData.EnsureScored(db, record.Name, trials);
        if (json) output.Write(BestDocument.Json(record.Name, trials));
        else StudyTables.Summary(output, record.Name, trials);
    }
}

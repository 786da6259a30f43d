using Search.Reporting.Experiments;
using Search.Reporting.Tables;

namespace Search.Reporting;

/// <summary>The JSON form of a report: the same tables as the other formats plus the improvement numbers.</summary>
public sealed record ReportDocument(
    string Study,
    string Sentence,
    Improvement? Improvement,
    IReadOnlyList<ReportTable> Tables,
    IReadOnlyList<PublishedRow> Published,
    IReadOnlyList<string> Plots);

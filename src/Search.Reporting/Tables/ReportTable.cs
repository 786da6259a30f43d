namespace Search.Reporting.Tables;

/// <summary>A table as text cells; the writers only format it.</summary>
public sealed record ReportTable(string Id, string Title, IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows);

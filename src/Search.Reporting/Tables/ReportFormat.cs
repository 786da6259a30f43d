namespace Search.Reporting.Tables;

public enum ReportFormat
{
    Markdown,
    Csv,
    Latex,
    Json,
}

public static class ReportFormats
{
    public static ReportFormat Parse(string s) => s.Trim().ToLowerInvariant() switch
    {
        "md" or "markdown" => ReportFormat.Markdown,
        "csv" => ReportFormat.Csv,
        "latex" or "tex" => ReportFormat.Latex,
        "json" => ReportFormat.Json,
        _ => throw new ReportInputException($"unknown value '{s}' (expected md, csv, latex or json)"),
    };

    public static string Extension(this ReportFormat f) => f switch
    {
        ReportFormat.Markdown => "md",
        ReportFormat.Csv => "csv",
        ReportFormat.Latex => "tex",
        _ => "json",
    };
}

namespace Search.Reporting.Tables;

/// <summary>RFC 4180 CSV: a header row, fields quoted when they hold a comma, quote or newline.</summary>
public static class CsvTable
{
    public static string Render(ReportTable t)
    {
        var w = new StringWriter { NewLine = "\n" };
        w.WriteLine(string.Join(",", t.Headers.Select(Quote)));
        foreach (var row in t.Rows) w.WriteLine(string.Join(",", row.Select(Quote)));
        return w.ToString();
    }

    public static string Quote(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}

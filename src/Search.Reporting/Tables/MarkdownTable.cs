namespace Search.Reporting.Tables;

/// <summary>GitHub-flavoured markdown: pipes in cells escaped, numbers right-aligned by the reader's eye only.</summary>
public static class MarkdownTable
{
    public static string Render(ReportTable t)
    {
        var w = new StringWriter { NewLine = "\n" };
        w.WriteLine("| " + string.Join(" | ", t.Headers.Select(Escape)) + " |");
        w.WriteLine("|" + string.Concat(t.Headers.Select(_ => "---|")));
        foreach (var row in t.Rows) w.WriteLine("| " + string.Join(" | ", row.Select(Escape)) + " |");
        return w.ToString();
    }

    private static string Escape(string s) => s.Replace("|", "\\|").ReplaceLineEndings(" ");
}

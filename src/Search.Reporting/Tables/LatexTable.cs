using System.Text;

namespace Search.Reporting.Tables;

/// <summary>
/// A LaTeX table fragment (a <c>table</c> float around a <c>tabular</c>, booktabs-free so it needs
/// no package): \input it into any document. Special characters are escaped.
/// </summary>
public static class LatexTable
{
    public static string Render(ReportTable t)
    {
        var w = new StringWriter { NewLine = "\n" };
        w.WriteLine("\\begin{table}[ht]");
        w.WriteLine("\\centering\\scriptsize");
        w.WriteLine($"\\caption{{{Escape(t.Title)}}}");
        w.WriteLine($"\\label{{tab:{t.Id}}}");
        w.WriteLine("\\begin{tabular}{" + new string('l', t.Headers.Count) + "}");
        w.WriteLine("\\hline");
        w.WriteLine(string.Join(" & ", t.Headers.Select(Escape)) + " \\\\");
        w.WriteLine("\\hline");
        foreach (var row in t.Rows) w.WriteLine(string.Join(" & ", row.Select(Escape)) + " \\\\");
        w.WriteLine("\\hline");
        w.WriteLine("\\end{tabular}");
        w.WriteLine("\\end{table}");
        return w.ToString();
    }

    public static string Escape(string s)
    {
        var b = new StringBuilder(s.Length);
        foreach (char c in s)
            b.Append(c switch
            {
                '\\' => "\\textbackslash{}",
                '&' or '%' or '$' or '#' or '_' or '{' or '}' => "\\" + c,
                '~' => "\\textasciitilde{}",
                '^' => "\\textasciicircum{}",
                '<' => "\\textless{}",
                '>' => "\\textgreater{}",
                '|' => "\\textbar{}",
                '×' => "$\\times$",
                '−' => "-",
                '…' => "...",
                _ => c.ToString(),
            });
        return b.ToString();
    }
}

using System.Globalization;
using Search.Data.Evaluation;
using Spectre.Console;

namespace Search.Application.Views;

/// <summary>How <c>eval --tasks</c> prints task results: a table, or JSON objects with the metric named per value.</summary>
public static class TaskTables
{
    private static string Percent(double v) => (100 * v).ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>"61.20 ± 1.54" (percent; stderr "n/a" for a single item).</summary>
    public static string Cell(MetricValue m) =>
        $"{Percent(m.Value)} ± {(m.Stderr is double s ? Percent(s) : "n/a")}";

    public static void Print(TextWriter output, TaskSuiteResult suite)
    {
        var console = Terminal.ConsoleFor(output);
        var table = new Table().AddColumns("task", "split", "items", "metric", "value (%) ± stderr", "follows");
        foreach (var t in suite.Tasks)
            foreach (var m in t.Metrics)
                table.AddRow(Markup.Escape(t.Task), Markup.Escape(t.Split), t.Items.ToString(CultureInfo.InvariantCulture), m.Metric, Cell(m), Markup.Escape(t.Follows));
        table.AddRow("mean", "", suite.Tasks.Count + " tasks", "acc", Cell(suite.MeanAcc), "unweighted mean over tasks");
        table.AddRow("mean", "", suite.Tasks.Count + " tasks", "acc_norm (acc where none)", Cell(suite.MeanHeadline), "unweighted mean over tasks");
        console.Write(table);
        foreach (var t in suite.Tasks)
            foreach (var f in t.Files)
                output.WriteLine($"{t.Task}: {f.Path} sha256 {f.Sha256} ({t.Seconds:F1} s, bos {t.Bos})");
    }

    public static object Json(TaskSuiteResult suite) => new
    {
        tasks = suite.Tasks.Select(t => new
        {
            task = t.Task,
            dataset = t.Dataset,
            split = t.Split,
            follows = t.Follows,
            items = t.Items,
            bos = t.Bos,
            seconds = t.Seconds,
            metrics = t.Metrics.ToDictionary(m => m.Metric, m => new { value = m.Value, stderr = m.Stderr }),
            files = t.Files.Select(f => new { path = f.Path, sha256 = f.Sha256 }),
        }),
        mean_acc = new { value = suite.MeanAcc.Value, stderr = suite.MeanAcc.Stderr },
        mean_acc_norm_or_acc = new { value = suite.MeanHeadline.Value, stderr = suite.MeanHeadline.Stderr },
    };
}

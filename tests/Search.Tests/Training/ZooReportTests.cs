using Search.Training;
using Search.Training.Zoo;

namespace Search.Tests.Training;

public sealed class ZooReportTests
{
    private static ZooSummary Summary(string name, int layers, double validPpl)
    {
        var score = new EvalScore("tinystories", "valid", 128, "corpus", 3070, 389_890, Math.Log(validPpl), validPpl, validPpl * 1.02, validPpl * 0.98);
        return new ZooSummary(name, "test family", $"{name}-v1-0123456789ab", 1_000_000 + layers, 128, layers, 8, 2, 16, 512, 4.0,
            false, 512, 0, 600, 16, 256, 2_457_600,
            [new("tinystories", "train", 0.7, 100_704, 17.08), new("c4", "train", 0.2, 452_064, 1.09)],
            1125, 443, 2185, 6.25, 1.943, score with { Split = "train" }, score, 127.65, "AMD EPYC", 2, 13.3, 10.9,
            [new LossPoint(100, 4.4, 200, 80), new LossPoint(600, 1.98, 1125, 443)]);
    }

    [Fact]
    public void Given_trained_models_When_reported_Then_each_has_one_row_with_its_numbers_and_the_same_input_gives_the_same_bytes()
    {
        var models = new[] { Summary("alpha", 4, 10.48), Summary("beta", 12, 12.27) };
        string md = ZooReport.Markdown(models, "experiments/zoo.sh");

        Assert.Equal(md, ZooReport.Markdown(models, "experiments/zoo.sh"));
        Assert.Contains("`experiments/zoo.sh`", md);
        var rows = md.Split('\n').Where(l => l.StartsWith("| `zoo:", StringComparison.Ordinal)).ToList();
        Assert.Equal(3 * models.Length, rows.Count); // the main table, the epochs table, the machine table
        Assert.Contains(rows, r => r.StartsWith("| `zoo:alpha` | test family | 1,000,004 |") && r.Contains("| 10.48 |"));
        Assert.Contains(rows, r => r.StartsWith("| `zoo:beta` |") && r.Contains("| 12.27 |") && r.Contains("| 12 |"));
        Assert.Contains("| `zoo:alpha` | 17.08 | 1.09 |", md);
        Assert.Contains("127.65", md);
    }
}

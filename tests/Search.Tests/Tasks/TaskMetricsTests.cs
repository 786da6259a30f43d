using Search.Data.Evaluation;
using Search.Data.Tasks;
using Search.Tests.Data;

namespace Search.Tests.Tasks;

/// <summary>acc / acc_norm / stderr against a direct computation from per-choice log-likelihoods, and lm-eval's pair encoding.</summary>
public sealed class TaskMetricsTests
{
    private static ChoiceItem Item(int gold, params string[] choices) =>
        new(1, choices.Select(c => new ChoiceRequest("ctx", " " + c)).ToArray(), choices, gold);

    [Fact]
    public void Acc_and_acc_norm_follow_argmax_of_raw_and_length_normalized_loglikelihoods()
    {
        // Item 1: raw argmax is the short choice (−2 > −3), per-char argmax the long one (−3/10 > −2/1).
        // Item 2: both pick the gold. Item 3: a tie goes to the first index, as numpy.argmax does.
        // Item 4: "é" and "😀" are one character each in Python: −1/1 vs −1.5/1 → index 0 (UTF-16 would count 😀 as 2).
        var items = new[] { Item(1, "a", "abcdefghij"), Item(0, "yes", "no"), Item(1, "ab", "cd"), Item(0, "😀", "é") };
        var lls = new[] { new[] { -2.0, -3.0 }, new[] { -0.5, -4.0 }, new[] { -1.0, -1.0 }, new[] { -1.0, -1.5 } };
        Assert.Equal([0.0, 1, 0, 1], TaskMetrics.ItemScores(items, lls, TaskMetricNames.Acc));
        Assert.Equal([1.0, 1, 0, 1], TaskMetrics.ItemScores(items, lls, TaskMetricNames.AccNorm));

        var acc = TaskMetrics.Aggregate("acc", [0.0, 1, 0, 1]);
        Assert.Equal(0.5, acc.Value);
        // sample sd = sqrt(4·0.25/3), stderr = sd/√4
        Assert.Equal(Math.Sqrt(1.0 / 3) / 2, acc.Stderr!.Value, 12);
        Assert.Null(TaskMetrics.Aggregate("acc", [1.0]).Stderr);
    }

    [Fact]
    public void The_mean_over_tasks_is_unweighted_and_uses_acc_norm_where_a_task_has_it()
    {
        TaskResult R(string name, params MetricValue[] m) => new(name, "d", "s", "f", 10, m, [], "bos", 0);
        var suite = new TaskSuiteResult([
            R("boolq", new MetricValue("acc", 0.6, 0.1)),
            R("piqa", new MetricValue("acc", 0.7, 0.1), new MetricValue("acc_norm", 0.8, 0.1))]);
        Assert.Equal(0.65, suite.MeanAcc.Value, 12);
        Assert.Equal(0.70, suite.MeanHeadline.Value, 12);
        Assert.Equal(Math.Sqrt(0.02) / 2, suite.MeanAcc.Stderr!.Value, 12);
    }

    [Fact]
    public void Pairs_encode_whole_and_split_with_trailing_context_space_moved_and_optional_bos()
    {
        var tok = new CharTokenizer();
        var (ctx, cont) = TaskEncoding.EncodePair(tok, "Answer: ", "yes", bos: true);
        Assert.Equal([1, .. tok.Encode("Answer:")], ctx);
        Assert.Equal(tok.Encode(" yes"), cont);
        var (ctx2, cont2) = TaskEncoding.EncodePair(tok, "Q\nAnswer:", " no", bos: false);
        Assert.Equal(tok.Encode("Q\nAnswer:"), ctx2);
        Assert.Equal(tok.Encode(" no"), cont2);
    }
}

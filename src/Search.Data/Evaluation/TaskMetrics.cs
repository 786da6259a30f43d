using Search.Data.Tasks;

namespace Search.Data.Evaluation;

/// <summary>A metric's mean over items and its standard error (null with a single item).</summary>
public sealed record MetricValue(string Metric, double Value, double? Stderr);

/// <summary>
/// lm-eval's multiple-choice metrics (lm_eval/api/task.py process_results, metrics.py):
/// acc = [argmax(lls) == gold], acc_norm = [argmax(lls / len(choice)) == gold] with len the choice
/// string's length in characters (Unicode code points, Python's len), argmax the first maximum as
/// numpy's (a NaN counts as the maximum); each averaged over items, with stderr =
/// sample standard deviation (n − 1) / √n.
/// </summary>
public static class TaskMetrics
{
    /// <summary>Per-item 0/1 scores for <paramref name="metric"/>.</summary>
    public static double[] ItemScores(IReadOnlyList<ChoiceItem> items, IReadOnlyList<double[]> lls, string metric)
    {
        var scores = new double[items.Count];
        for (int i = 0; i < items.Count; i++)
        {
            var ll = lls[i];
            var choices = items[i].Choices;
            var values = metric switch
            {
                TaskMetricNames.Acc => ll,
                TaskMetricNames.AccNorm => ll.Select((v, k) => v / CodePoints(choices[k])).ToArray(),
                _ => throw new ArgumentException($"unknown metric {metric}"),
            };
            scores[i] = ArgMax(values) == items[i].Gold ? 1 : 0;
        }
        return scores;
    }

    public static MetricValue Aggregate(string metric, double[] scores)
    {
        double mean = scores.Average();
        double? stderr = scores.Length > 1
            ? Math.Sqrt(scores.Sum(x => (x - mean) * (x - mean)) / (scores.Length - 1)) / Math.Sqrt(scores.Length)
            : null;
        return new MetricValue(metric, mean, stderr);
    }

    /// <summary>numpy.argmax: the first index of the maximum; the first NaN if any.</summary>
    public static int ArgMax(IReadOnlyList<double> values)
    {
        int best = 0;
        for (int i = 0; i < values.Count; i++)
        {
            if (double.IsNaN(values[i])) return i;
            if (values[i] > values[best]) best = i;
        }
        return best;
    }

    public static int CodePoints(string s) => s.EnumerateRunes().Count();
}

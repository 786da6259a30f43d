using System.Text.Json.Serialization;

namespace Search.Reporting.Experiments;

/// <summary>
/// A number from a paper, with where it comes from. <paramref name="Tag"/> names the study trial it
/// is compared with: a baseline tag (e.g. "flap-wifv-al-am-bias") or "searched"; null = reference only.
/// <paramref name="ZeroShot"/> (JSON <c>zero_shot</c>) holds the paper's zero-shot accuracies in percent keyed
/// "TASK.METRIC" with lm-eval's names (e.g. "boolq.acc", "hellaswag.acc_norm"), shown beside the trial's
/// <c>search --final-tasks</c> scores; copy numbers only from the paper's own text, never estimate them.
/// </summary>
public sealed record PublishedRow(string Method, string Model, double Ratio, string Dataset, [property: JsonPropertyName("seqlen")] int SeqLen, double Ppl, string Source, string? Tag = null,
    [property: JsonPropertyName("zero_shot")] IReadOnlyDictionary<string, double>? ZeroShot = null);

using System.Text.Json.Serialization;

namespace Search.Reporting.Experiments;

/// <summary>
/// A number from a paper, with where it comes from. <paramref name="Tag"/> names the study trial it
/// is compared with: a baseline tag (e.g. "flap-wifv-al-am-bias") or "searched"; null = reference only.
/// </summary>
public sealed record PublishedRow(string Method, string Model, double Ratio, string Dataset, [property: JsonPropertyName("seqlen")] int SeqLen, double Ppl, string Source, string? Tag = null);

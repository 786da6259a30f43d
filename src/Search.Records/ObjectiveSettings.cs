using System.Text.Json.Serialization;

namespace Search.Records;

/// <summary>How trials are scored: the study's budget, evaluation corpus and token budgets. Stored as the study's objective JSON.</summary>
/// <param name="Ratio">Target removed fraction of attention+MLP linear parameters (hard constraint).</param>
/// <param name="EvalDataset">Corpus the objective scores on; its validation split (or the search part of it) tunes, test reports.</param>
/// <param name="SeqLen">Evaluation window length.</param>
/// <param name="Bos">corpus | window | none.</param>
/// <param name="ProxyWindows">Windows of the search split for the cheap proxy score of every trial.</param>
/// <param name="Finalists">Searched trials (best by proxy) promoted to the full search split and the test split.</param>
/// <param name="PoolSize">Calibration windows per (source, seqlen, seed) pool; a trial takes its first n (FLAP's n-sample set).</param>
/// <param name="FinalTokens">Scored tokens per split for finalists, baselines and the seed spread (the first windows of each split); null scores the whole splits.</param>
/// <param name="Fitness">What a trial's value is: "ppl" (proxy perplexity) or "kl" (mean per-token KL(dense ‖ pruned) on the proxy windows); both are stored with every trial.</param>
/// <param name="WidthMultiple">search --width-multiple N: searched configs and the exact-budget twins keep a multiple of N
/// MLP channels per layer. Null (not written) for 1, so the objective JSON of a study without it is what it always was.</param>
public sealed record ObjectiveSettings(double Ratio, string EvalDataset, int SeqLen, string Bos, int ProxyWindows, int Finalists, int PoolSize,
    long? FinalTokens = null, string Fitness = ObjectiveSettings.PerplexityFitness,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? WidthMultiple = null)
{
    public const string PerplexityFitness = "ppl";
    public const string KlFitness = "kl";

    /// <summary>The fitness names a user may write, for messages.</summary>
    public const string FitnessNames = "ppl or kl";

    /// <summary>The canonical fitness for a written one ("ppl", "perplexity", "kl"; any case), or null when it names none.</summary>
    public static string? FitnessOf(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        PerplexityFitness or "perplexity" => PerplexityFitness,
        KlFitness => KlFitness,
        _ => null,
    };

    /// <summary>The MLP width multiple trials are allocated with (1 when the study has none).</summary>
    [JsonIgnore]
    public int MlpWidthMultiple => WidthMultiple ?? 1;
}

namespace Search.Data.Evaluation;

/// <summary>
/// A perplexity measurement with everything needed to reproduce it. NLL is accumulated in float64
/// over every scored position (each window scores its tokens 1..seqlen−1).
/// </summary>
public sealed record PerplexityResult(
    double Perplexity,
    double MeanNll,
    int Windows,
    long ScoredTokens,
    double Seconds,
    string Dataset,
    string Split,
    int SeqLen,
    string Bos,
    string DType,
    string ModelHash)
{
    /// <summary>Throughput over all window tokens (what the forward pass processes).</summary>
    public double TokensPerSecond => Seconds > 0 ? Windows * (double)SeqLen / Seconds : double.NaN;
}

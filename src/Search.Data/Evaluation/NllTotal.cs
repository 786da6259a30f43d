namespace Search.Data.Evaluation;

/// <summary>
/// Summed next-token negative log-likelihood (nats, accumulated in float64) over <paramref name="Tokens"/>
/// scored positions, and exp(Sum / Tokens): where every TorchSharp evaluator (eval, prune, the search's
/// proxy and final scores, export's reload check) turns NLL into perplexity. The llama.cpp runtime
/// applies the same protocol to llama.cpp's own logits (<c>LlamaCppModel.Perplexity</c>), on purpose
/// apart: it is the independent side of the GGUF parity check and does not reference this project.
/// </summary>
public sealed record NllTotal(double Sum, long Tokens)
{
    public double Mean => Sum / Tokens;

    public double Perplexity => Math.Exp(Mean);

    public static NllTotal operator +(NllTotal a, NllTotal b) => new(a.Sum + b.Sum, a.Tokens + b.Tokens);
}

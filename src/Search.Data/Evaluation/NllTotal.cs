namespace Search.Data.Evaluation;

/// <summary>
/// Summed next-token negative log-likelihood (nats, accumulated in float64) over <paramref name="Tokens"/>
/// scored positions: the one place perplexity is computed from, exp(Sum / Tokens).
/// </summary>
public sealed record NllTotal(double Sum, long Tokens)
{
    public double Mean => Sum / Tokens;

    public double Perplexity => Math.Exp(Mean);

    public static NllTotal operator +(NllTotal a, NllTotal b) => new(a.Sum + b.Sum, a.Tokens + b.Tokens);
}

namespace Search.Optimization.Trials;

/// <summary>
/// One measurement of a pruned model with the fidelity it was taken at, so scores from a 1K-token
/// proxy and an 8K-token evaluation are never confused when the table is built.
/// </summary>
/// <param name="Name">What was measured, e.g. "ppl" or "kl".</param>
/// <param name="Split">Corpus split, e.g. "validation" or "test".</param>
/// <param name="Tokens">Number of evaluated tokens.</param>
/// <param name="SeqLen">Window length.</param>
/// <param name="Bos">How the BOS token was handled, e.g. "prepend" or "none".</param>
public sealed record TrialScore(string Name, double Value, string Split, long Tokens, int SeqLen, string Bos);

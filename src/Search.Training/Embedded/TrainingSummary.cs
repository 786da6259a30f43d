namespace Search.Training.Embedded;

/// <summary>
/// How a tiny-model build went. Perplexities are per token of the synthetic tokenizer, over
/// BOS-prefixed windows of <see cref="TinyModelRecipe.SeqLen"/> tokens. The unigram baseline is
/// add-one-smoothed train-token frequencies scored on the validation tokens: a model that learned
/// nothing about context cannot beat it.
/// </summary>
public sealed record TrainingSummary(
    int Steps,
    long ParameterCount,
    int TrainTokens,
    int ValidTokens,
    double InitialLoss,
    double FinalLoss,
    double TrainPerplexity,
    double ValidPerplexity,
    double UnigramPerplexity,
    double Seconds);

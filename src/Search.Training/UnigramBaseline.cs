namespace Search.Training;

/// <summary>
/// The context-free yardstick a trained model must beat: an add-one-smoothed unigram model of the train
/// tokens, scored on other tokens. A model that learned nothing about context cannot do better.
/// </summary>
public static class UnigramBaseline
{
    /// <summary>exp(mean NLL) of <paramref name="eval"/> under the smoothed frequencies of <paramref name="train"/>.</summary>
    public static double Perplexity(ReadOnlySpan<int> train, ReadOnlySpan<int> eval, int vocabSize)
    {
        var counts = new long[vocabSize];
        foreach (int id in train) counts[id]++;
        double total = train.Length + vocabSize;
        double nll = 0;
        foreach (int id in eval) nll -= Math.Log((counts[id] + 1) / total);
        return Math.Exp(nll / eval.Length);
    }
}

namespace Search.Training.Embedded;

/// <summary>
/// Picks list entries with probability ∝ 1/(rank+1)^s. A skewed (Zipf-like) distribution is what
/// natural text has; it makes the unigram baseline meaningful and rare words genuinely rare.
/// </summary>
public static class ZipfChoice
{
    private const double Exponent = 0.9;

    public static T Pick<T>(IReadOnlyList<T> items, SplitMix64 rng)
    {
        // Cumulative weights are recomputed per call: lists are tiny and this keeps the class stateless.
        double total = 0;
        for (int i = 0; i < items.Count; i++) total += Weight(i);
        double u = rng.NextDouble() * total;
        for (int i = 0; i < items.Count; i++)
        {
            u -= Weight(i);
            if (u < 0) return items[i];
        }
        return items[^1];
    }

    private static double Weight(int rank) => Math.Pow(rank + 1, -Exponent);
}

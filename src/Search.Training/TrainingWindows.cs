using static TorchSharp.torch;

namespace Search.Training;

/// <summary>
/// Batches of random training windows, drawn with our own <see cref="SplitMix64"/> so the order never
/// depends on torch's RNG. Each returns inputs X and next-token targets Y, [B, T] int64 each.
/// </summary>
public static class TrainingWindows
{
    /// <summary>
    /// Inputs BOS + tokens[s..s+T−1), targets tokens[s..s+T): every window starts with BOS, as the embedded
    /// model's evaluation scores BOS-prefixed windows.
    /// </summary>
    public static (Tensor X, Tensor Y) BosPrefixed(int[] tokens, int bosId, int batchSize, int seqLen, SplitMix64 rng)
    {
        int b = batchSize, t = seqLen;
        var x = new long[b * t];
        var y = new long[b * t];
        for (int row = 0; row < b; row++)
        {
            int start = rng.NextInt(tokens.Length - t + 1);
            x[row * t] = bosId;
            for (int j = 0; j < t; j++)
            {
                y[row * t + j] = tokens[start + j];
                if (j + 1 < t) x[row * t + j + 1] = tokens[start + j];
            }
        }
        return (tensor(x, [b, t]), tensor(y, [b, t])); // [B, T] each
    }

    /// <summary>
    /// Windows cut from token streams (each stream already holds its BOS where its text starts), as
    /// llama2.c trains: inputs stream[s..s+T), targets stream[s+1..s+T]. Each row first picks a stream
    /// with probability ∝ <paramref name="weights"/>, then a uniform start in it — so a small in-domain
    /// corpus can be seen more often than its share of the tokens.
    /// </summary>
    public static (Tensor X, Tensor Y) FromStreams(IReadOnlyList<int[]> streams, IReadOnlyList<double> weights,
        int batchSize, int seqLen, SplitMix64 rng)
    {
        int b = batchSize, t = seqLen;
        double total = weights.Sum();
        var x = new long[b * t];
        var y = new long[b * t];
        for (int row = 0; row < b; row++)
        {
            var stream = streams[Pick(weights, total, rng)];
            int start = rng.NextInt(stream.Length - t);
            for (int j = 0; j < t; j++)
            {
                x[row * t + j] = stream[start + j];
                y[row * t + j] = stream[start + j + 1];
            }
        }
        return (tensor(x, [b, t]), tensor(y, [b, t])); // [B, T] each
    }

    private static int Pick(IReadOnlyList<double> weights, double total, SplitMix64 rng)
    {
        double u = rng.NextDouble() * total;
        for (int i = 0; i < weights.Count; i++)
        {
            u -= weights[i];
            if (u < 0) return i;
        }
        return weights.Count - 1;
    }
}

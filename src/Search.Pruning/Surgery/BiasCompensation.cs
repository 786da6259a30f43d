using Search.Pruning.Statistics;
using static TorchSharp.torch;

namespace Search.Pruning.Surgery;

/// <summary>
/// FLAP's bias compensation: with pruned input channels P of a projection W [d, C], the pruned layer
/// outputs W[:, kept]·x_kept + b with b = W[:, P]·μ_P, which equals the dense output whenever the
/// pruned channels sit at their calibration mean μ.
/// </summary>
public static class BiasCompensation
{
    /// <summary>
    /// The o/down bias of the pruned projection: the existing bias (if any) plus, for
    /// <see cref="Compensation.FlapBias"/>, W[:, P]·μ_P; computed in float64, returned [d] in the
    /// weight's dtype and device, or null when there is neither. The caller owns the result.
    /// </summary>
    public static Tensor? PrunedBias(Tensor? weight, Tensor? existingBias, int[] keptChannels, ChannelMoments? moments,
        Compensation compensation)
    {
        var pruned = weight is null ? [] : PrunedChannels((int)weight.shape[1], keptChannels);
        // A least-squares refit replaces the bias later; until then it starts from FLAP's.
        if (compensation.Refits() && pruned.Length == 0 && existingBias is null && weight is not null)
            return zeros(weight.shape[0], weight.dtype, weight.device);
        if (compensation == Compensation.None || pruned.Length == 0)
            return existingBias?.alias();
        if (moments is null)
            throw new ArgumentException("FLAP bias compensation needs calibration statistics");
        using var scope = NewDisposeScope();
        var index = tensor(pruned.Select(i => (long)i).ToArray(), ScalarType.Int64).to(weight!.device);
        var mean = tensor(pruned.Select(i => moments.Mean[i]).ToArray(), ScalarType.Float64).to(weight.device); // [|P|]
        var bias = weight.index_select(1, index).to_type(ScalarType.Float64).matmul(mean);                        // [d]
        if (existingBias is not null) bias = bias + existingBias.to_type(ScalarType.Float64);
        return bias.to_type(weight.dtype).DetachFromDisposeScope();
    }

    /// <summary>
    /// Whether <see cref="PrunedBias"/> returns a bias: the projection had one, or compensation is on
    /// and at least one of its <paramref name="channels"/> input channels is pruned. Lets a writer
    /// declare a pruned model's tensors before building any layer.
    /// </summary>
    public static bool HasBias(bool existingBias, int channels, int keptChannels, Compensation compensation) =>
        existingBias || (compensation.Refits() && channels > 0) || (compensation != Compensation.None && keptChannels < channels);

    /// <summary>Channels of 0..count−1 that are not in the sorted <paramref name="keptChannels"/>.</summary>
    public static int[] PrunedChannels(int count, int[] keptChannels)
    {
        var kept = new HashSet<int>(keptChannels);
        return Enumerable.Range(0, count).Where(j => !kept.Contains(j)).ToArray();
    }
}

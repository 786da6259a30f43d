using Search.Pruning.Reconstruction;
using static TorchSharp.torch;

namespace Search.Pruning.Levels;

/// <summary>
/// One projection site's dense input statistics for least squares at any kept set: the augmented
/// Gram G = Σ x̃x̃ᵀ over calibration tokens of the site's FULL dense input x ∈ Rⁿ (x̃ = [x, 1]), in
/// float64. The one-shot refit's target is the dense projection of the same input, y = W x, so the
/// cross term of any kept set K is Σ x̃_K yᵀ = G[K∪1, :n]·Wᵀ: the normal equations of every kept set
/// are sub-blocks of G, and <see cref="Refit"/> solves them with <see cref="RidgeAccumulator"/>'s
/// damping — the same fit <see cref="LeastSquaresFit"/> makes directly (to float summation order).
/// Memory: (n+1)² doubles.
/// </summary>
public sealed class SiteGram : IDisposable
{
    private readonly Tensor gram;   // [(n+1), (n+1)] float64, summed (not divided)
    private long tokens;

    public int Inputs { get; }

    public SiteGram(int inputs, Device device)
    {
        Inputs = inputs;
        gram = zeros(inputs + 1, inputs + 1, ScalarType.Float64, device);
    }

    public long Bytes => (long)(Inputs + 1) * (Inputs + 1) * sizeof(double);

    /// <param name="x">Dense site inputs [N, n] (null for a block that has none: only the constant is counted).</param>
    public void Add(Tensor? x, long rows)
    {
        using var scope = NewDisposeScope();
        var ones1 = ones(rows, 1, ScalarType.Float64, gram.device);
        var xa = x is null || Inputs == 0 ? ones1 : cat([x.reshape(-1, Inputs).to_type(ScalarType.Float64), ones1], 1);
        if (xa.shape[1] != Inputs + 1) throw new ArgumentException($"site inputs have {xa.shape[1] - 1} channels, expected {Inputs}");
        gram.add_(xa.t().mm(xa));
        tokens += rows;
    }

    /// <summary>
    /// The refit of the projection <paramref name="denseWeight"/> [d, n] keeping input channels
    /// <paramref name="kept"/> (sorted): (W' [d, k] or null when k = 0, b' [d]) in <paramref name="dtype"/>;
    /// the caller owns both.
    /// </summary>
    public (Tensor? Weight, Tensor Bias) Refit(int[] kept, Tensor? denseWeight, int outputs, double damping, ScalarType dtype)
    {
        if (tokens == 0) throw new InvalidOperationException("no calibration tokens were accumulated");
        using var scope = NewDisposeScope();
        int k = kept.Length;
        var rows = tensor(kept.Select(i => (long)i).Append(Inputs).ToArray(), ScalarType.Int64).to(gram.device);
        var sub = gram.index_select(0, rows);                                          // [(k+1), (n+1)]
        var g = sub.index_select(1, rows) / tokens;                                    // [(k+1), (k+1)]
        var c = denseWeight is null || Inputs == 0
            ? zeros(k + 1, outputs, ScalarType.Float64, gram.device)
            : sub.narrow(1, 0, Inputs).mm(denseWeight.to_type(ScalarType.Float64).t()) / tokens; // [(k+1), d]
        var (weight, bias) = RidgeAccumulator.SolveNormalEquations(g, c, k, damping, dtype);
        return (weight?.MoveToOuterDisposeScope(), bias.MoveToOuterDisposeScope());
    }

    public void Dispose() => gram.Dispose();
}

using static TorchSharp.torch;

namespace Search.Pruning.Reconstruction;

/// <summary>
/// The normal equations of one least-squares refit, accumulated over calibration tokens: with
/// inputs x ∈ R^k (the kept input channels of a projection) augmented by a constant 1, and targets
/// y ∈ R^d (the dense projection's output), it sums G = Σ x̃x̃ᵀ [(k+1)×(k+1)] and C = Σ x̃yᵀ [(k+1)×d]
/// in float64. <see cref="Solve"/> returns the weight [d, k] and bias [d] minimising
/// Σ‖y − W'x − b'‖² + λ‖W'‖², λ = damping × the mean of diag(G)'s input part (the bias is not damped),
/// so the damping is scale-free. Additive over windows, like the other calibration sums.
/// </summary>
public sealed class RidgeAccumulator : IDisposable
{
    private readonly Tensor gram;     // [(k+1), (k+1)] float64
    private readonly Tensor cross;    // [(k+1), d] float64
    private long tokens;

    public int Inputs { get; }
    public int Outputs { get; }

    public RidgeAccumulator(int inputs, int outputs, Device device)
    {
        Inputs = inputs;
        Outputs = outputs;
        gram = zeros(inputs + 1, inputs + 1, ScalarType.Float64, device);
        cross = zeros(inputs + 1, outputs, ScalarType.Float64, device);
    }

    /// <param name="x">Inputs [N, k] (any float dtype); null or empty width when the block keeps nothing.</param>
    /// <param name="y">Targets [N, d].</param>
    public void Add(Tensor? x, Tensor y)
    {
        using var scope = NewDisposeScope();
        long n = y.shape[0];
        var ones1 = ones(n, 1, ScalarType.Float64, y.device);
        var xa = x is null || Inputs == 0 ? ones1 : cat([x.to_type(ScalarType.Float64), ones1], 1); // [N, k+1]
        gram.add_(xa.t().mm(xa));
        cross.add_(xa.t().mm(y.to_type(ScalarType.Float64)));
        tokens += n;
    }

    /// <summary>(W' [d, k] or null when k = 0, b' [d]) in <paramref name="dtype"/>; the caller owns both.</summary>
    public (Tensor? Weight, Tensor Bias) Solve(double damping, ScalarType dtype)
    {
        if (tokens == 0) throw new InvalidOperationException("no calibration tokens were accumulated");
        using var scope = NewDisposeScope();
        var (weight, bias) = SolveNormalEquations(gram / tokens, cross / tokens, Inputs, damping, dtype);
        return (weight?.MoveToOuterDisposeScope(), bias.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The one home of the damped solve: mean normal equations g [(k+1)×(k+1)] and c [(k+1)×d] (float64,
    /// the constant input last) → (W' [d, k] or null when k = 0, b' [d]) in <paramref name="dtype"/>,
    /// λ = <paramref name="damping"/> × mean(diag(g)'s input part), the bias not damped. Tensors are
    /// created in the caller's dispose scope.
    /// </summary>
    public static (Tensor? Weight, Tensor Bias) SolveNormalEquations(Tensor g, Tensor c, int inputs, double damping, ScalarType dtype)
    {
        if (inputs > 0)
        {
            double lambda = damping * g.diagonal().narrow(0, 0, inputs).mean().item<double>();
            var reg = cat([full(inputs, Math.Max(lambda, 1e-12), ScalarType.Float64, g.device), zeros(1, ScalarType.Float64, g.device)]);
            g = g + diag(reg);
        }
        var theta = linalg.solve(g, c);                                                 // [(k+1), d]
        var weight = inputs > 0 ? theta.narrow(0, 0, inputs).t().contiguous().to_type(dtype) : null;
        var bias = theta[inputs].contiguous().to_type(dtype);
        return (weight, bias);
    }

    public void Dispose()
    {
        gram.Dispose();
        cross.Dispose();
    }
}

using Search.Optimization.Trials;

namespace Search.Optimization.Spaces;

/// <summary>
/// Non-negative weights over named components that sum to 1 (e.g. a metric mixture). The GP sees
/// the K-1 stick-breaking fractions v_i = w_i / (1 - Σ_{j&lt;i} w_j), each free in [0,1], so any
/// point of the unit cube decodes to a valid mixture (feasible by construction).
/// </summary>
public sealed class SimplexDimension : Dimension
{
    public SimplexDimension(string name, IReadOnlyList<string> components) : base(name)
    {
        if (components.Count < 2) throw new ArgumentException("a simplex needs at least two components", nameof(components));
        Components = components.ToArray();
    }

    public IReadOnlyList<string> Components { get; }
    public override int EncodedWidth => Components.Count - 1;

    /// <summary>Uniform (Dirichlet(1,…,1)) via normalized exponentials.</summary>
    public override ParamValue Sample(Random rng)
    {
        var w = new double[Components.Count];
        for (var i = 0; i < w.Length; i++) w[i] = -Math.Log(1.0 - rng.NextDouble());
        var sum = w.Sum();
        for (var i = 0; i < w.Length; i++) w[i] /= sum;
        return ParamValue.Of(w);
    }

    public override int DesignWidth => EncodedWidth;

    /// <summary>
    /// Stick i is Beta(1, K−1−i) (inverse CDF 1 − (1−u)^(1/(K−1−i))): uniform design coordinates give
    /// uniform weights on the simplex, as <see cref="Sample"/> does.
    /// </summary>
    public override ParamValue FromDesign(ReadOnlySpan<double> unit, Random rng)
    {
        Span<double> sticks = stackalloc double[EncodedWidth];
        for (var i = 0; i < sticks.Length; i++) sticks[i] = 1.0 - Math.Pow(1.0 - Math.Clamp(unit[i], 0.0, 1.0), 1.0 / (Components.Count - 1 - i));
        return Decode(sticks);
    }

    public override bool TryEncode(ParamValue value, Span<double> into)
    {
        if (value.Kind != ParamValueKind.Vector) return false;
        var w = value.AsVector;
        if (w.Count != Components.Count || w.Any(x => x < 0) || Math.Abs(w.Sum() - 1.0) > 1e-6) return false;
        var remaining = 1.0;
        for (var i = 0; i < EncodedWidth; i++)
        {
            into[i] = remaining <= 1e-12 ? 0.0 : Math.Clamp(w[i] / remaining, 0.0, 1.0);
            remaining -= w[i];
        }
        return true;
    }

    public ParamValue Decode(ReadOnlySpan<double> sticks)
    {
        var w = new double[Components.Count];
        var remaining = 1.0;
        for (var i = 0; i < EncodedWidth; i++)
        {
            w[i] = remaining * Math.Clamp(sticks[i], 0.0, 1.0);
            remaining -= w[i];
        }
        w[^1] = Math.Max(0.0, remaining);
        return ParamValue.Of(w);
    }

    public override ParamValue Perturb(ParamValue value, Random rng, double scale)
    {
        Span<double> sticks = stackalloc double[EncodedWidth];
        TryEncode(value, sticks);
        for (var i = 0; i < sticks.Length; i++) sticks[i] = Math.Clamp(sticks[i] + scale * Gaussian(rng), 0.0, 1.0);
        return Decode(sticks);
    }
}

using Search.Optimization.Trials;

namespace Search.Optimization.Spaces;

/// <summary>
/// One named parameter of a search space. Besides sampling, every dimension knows how to map its
/// values into [0,1]^EncodedWidth (the GP's input) and how to make a nearby feasible value (the
/// EI optimizer's local refinement), so samplers never switch on dimension kinds.
/// </summary>
public abstract class Dimension(string name)
{
    public string Name { get; } = name;

    /// <summary>Fixed dimensions are emitted with every proposal but not searched.</summary>
    public virtual bool IsSearched => true;

    public abstract int EncodedWidth { get; }

    /// <summary>Value used when a baseline omits this dimension; null means "a baseline must name it".</summary>
    public virtual ParamValue? DefaultForBaselines => null;

    public abstract ParamValue Sample(Random rng);

    /// <summary>
    /// How many coordinates of a space-filling design (Latin hypercube over [0,1]) this dimension
    /// consumes; 0 for kinds a design does not stratify (categoricals are balanced by the sampler,
    /// layer ratios are drawn, fixed values are fixed).
    /// </summary>
    public virtual int DesignWidth => 0;

    /// <summary>
    /// The value at design coordinates <paramref name="unit"/> (length <see cref="DesignWidth"/>, each in [0,1)),
    /// mapped so that uniform coordinates give <see cref="Sample"/>'s distribution; kinds with no design
    /// coordinates draw from <paramref name="rng"/>.
    /// </summary>
    public virtual ParamValue FromDesign(ReadOnlySpan<double> unit, Random rng) => Sample(rng);

    /// <summary>False when the value lies outside this dimension (e.g. a hand-set baseline with 1024 samples).</summary>
    public abstract bool TryEncode(ParamValue value, Span<double> into);

    /// <summary>A feasible value near <paramref name="value"/>; <paramref name="scale"/> in (0,1] is the step size in encoded units.</summary>
    public abstract ParamValue Perturb(ParamValue value, Random rng, double scale);

    /// <summary>A copy bound to the model's layer count; dimensions that do not depend on it return themselves.</summary>
    public virtual Dimension BindLayerCount(int layerCount) => this;

    protected static double Gaussian(Random rng)
    {
        // Box–Muller; 1 - NextDouble() keeps the log argument in (0,1].
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}

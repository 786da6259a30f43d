using Search.Optimization.Trials;

namespace Search.Optimization.Spaces;

public sealed class FloatDimension(string name, double low, double high, bool log) : Dimension(name)
{
    private readonly NumericScale _scale = new(low, high, log);

    public double Low => low;
    public double High => high;
    public bool Log => log;
    public override int EncodedWidth => 1;

    public override ParamValue Sample(Random rng) => ParamValue.Of(_scale.FromUnit(rng.NextDouble()));

    public override int DesignWidth => 1;

    public override ParamValue FromDesign(ReadOnlySpan<double> unit, Random rng) => ParamValue.Of(_scale.FromUnit(unit[0]));

    public override bool TryEncode(ParamValue value, Span<double> into)
    {
        if (value.Kind is not (ParamValueKind.Real or ParamValueKind.Integer) || !_scale.Contains(value.AsReal)) return false;
        into[0] = _scale.ToUnit(value.AsReal);
        return true;
    }

    public override ParamValue Perturb(ParamValue value, Random rng, double scale) =>
        ParamValue.Of(_scale.FromUnit(_scale.ToUnit(value.AsReal) + scale * Gaussian(rng)));
}

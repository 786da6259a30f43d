using Search.Optimization.Trials;

namespace Search.Optimization.Spaces;

/// <summary>Integers low..high (inclusive) on a step grid, optionally log-scaled (then step must be 1).</summary>
public sealed class IntDimension(string name, long low, long high, long step, bool log) : Dimension(name)
{
    private readonly NumericScale _scale = new(low, high, log);

    public long Low => low;
    public long High => high;
    public long Step => step;
    public bool Log => log;
    public override int EncodedWidth => 1;

    public override ParamValue Sample(Random rng) =>
        // Widen the unit interval by half a step at both ends so the end points are as likely as inner values.
        ParamValue.Of(FromUnitWidened(rng.NextDouble()));

    public override int DesignWidth => 1;

    public override ParamValue FromDesign(ReadOnlySpan<double> unit, Random rng) => ParamValue.Of(FromUnitWidened(unit[0]));

    public override bool TryEncode(ParamValue value, Span<double> into)
    {
        if (value.Kind != ParamValueKind.Integer || !_scale.Contains(value.AsInteger)) return false;
        into[0] = _scale.ToUnit(value.AsInteger);
        return true;
    }

    public override ParamValue Perturb(ParamValue value, Random rng, double scale) =>
        ParamValue.Of(Snap(_scale.FromUnit(_scale.ToUnit(value.AsInteger) + scale * Gaussian(rng))));

    private long FromUnitWidened(double u)
    {
        if (log)
        {
            var scale = new NumericScale(low - 0.5 + 1e-9, high + 0.5 - 1e-9, true);
            return Snap(scale.FromUnit(u));
        }
        var count = (high - low) / step + 1;
        return low + Math.Min(count - 1, (long)(u * count)) * step;
    }

    private long Snap(double x)
    {
        var snapped = low + (long)Math.Round((x - low) / step, MidpointRounding.AwayFromZero) * step;
        return Math.Clamp(snapped, low, low + (high - low) / step * step);
    }
}

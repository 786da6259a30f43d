using Search.Optimization.Trials;

namespace Search.Optimization.Spaces;

/// <summary>A value every trial of the space carries (e.g. structure "al-am"); not part of the GP input.</summary>
public sealed class FixedDimension(string name, ParamValue value) : Dimension(name)
{
    public ParamValue Value { get; } = value;
    public override bool IsSearched => false;
    public override int EncodedWidth => 0;
    public override ParamValue? DefaultForBaselines => Value;
    public override ParamValue Sample(Random rng) => Value;
    public override bool TryEncode(ParamValue value, Span<double> into) => true;
    public override ParamValue Perturb(ParamValue value, Random rng, double scale) => Value;
}

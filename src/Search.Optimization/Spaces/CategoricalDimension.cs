using Search.Optimization.Trials;

namespace Search.Optimization.Spaces;

/// <summary>Unordered choices (strings or numbers), one-hot encoded so the GP assumes no order.</summary>
public sealed class CategoricalDimension : Dimension
{
    public CategoricalDimension(string name, IReadOnlyList<ParamValue> choices) : base(name)
    {
        if (choices.Count == 0) throw new ArgumentException("a categorical dimension needs choices", nameof(choices));
        Choices = choices.ToArray();
    }

    public IReadOnlyList<ParamValue> Choices { get; }
    public override int EncodedWidth => Choices.Count;

    public override ParamValue Sample(Random rng) => Choices[rng.Next(Choices.Count)];

    public override bool TryEncode(ParamValue value, Span<double> into)
    {
        var index = IndexOf(value);
        if (index < 0) return false;
        into.Clear();
        into[index] = 1.0;
        return true;
    }

    public override ParamValue Perturb(ParamValue value, Random rng, double scale)
    {
        if (Choices.Count == 1 || rng.NextDouble() >= scale) return value;
        var current = IndexOf(value);
        var other = rng.Next(Choices.Count - 1);
        return Choices[other >= current ? other + 1 : other];
    }

    private int IndexOf(ParamValue value)
    {
        for (var i = 0; i < Choices.Count; i++)
            if (Choices[i].Equals(value) || (Choices[i].Kind != ParamValueKind.Text && value.Kind is ParamValueKind.Real or ParamValueKind.Integer
                && Choices[i].AsReal == value.AsReal))
                return i;
        return -1;
    }
}

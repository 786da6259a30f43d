using System.Globalization;

namespace Search.Optimization.Trials;

/// <summary>
/// One parameter value: a real, an integer, a string, or a vector of reals (simplex weights,
/// per-layer ratios). Equality is by value, vectors element-wise, so two param sets from two runs
/// compare equal exactly when the runs proposed the same thing.
/// </summary>
public sealed class ParamValue : IEquatable<ParamValue>
{
    private readonly double _real;
    private readonly long _integer;
    private readonly string? _text;
    private readonly double[]? _vector;

    private ParamValue(ParamValueKind kind, double real, long integer, string? text, double[]? vector)
    {
        Kind = kind;
        _real = real;
        _integer = integer;
        _text = text;
        _vector = vector;
    }

    public ParamValueKind Kind { get; }

    public static ParamValue Of(double value) => new(ParamValueKind.Real, value, 0, null, null);

    public static ParamValue Of(long value) => new(ParamValueKind.Integer, 0, value, null, null);

    public static ParamValue Of(string value) => new(ParamValueKind.Text, 0, 0, value, null);

    /// <summary>The array is copied so the caller cannot change a stored value afterwards.</summary>
    public static ParamValue Of(IReadOnlyList<double> value) => new(ParamValueKind.Vector, 0, 0, null, value.ToArray());

    public double AsReal => Kind switch
    {
        ParamValueKind.Real => _real,
        ParamValueKind.Integer => _integer,
        _ => throw new InvalidOperationException($"param is {Kind}, not a number"),
    };

    public long AsInteger => Kind == ParamValueKind.Integer ? _integer : throw new InvalidOperationException($"param is {Kind}, not an integer");

    public string AsText => Kind == ParamValueKind.Text ? _text! : throw new InvalidOperationException($"param is {Kind}, not a string");

    public IReadOnlyList<double> AsVector => Kind == ParamValueKind.Vector ? _vector! : throw new InvalidOperationException($"param is {Kind}, not a vector");

    public bool Equals(ParamValue? other) =>
        other is not null && other.Kind == Kind && Kind switch
        {
            ParamValueKind.Real => _real.Equals(other._real),
            ParamValueKind.Integer => _integer == other._integer,
            ParamValueKind.Text => _text == other._text,
            _ => _vector!.AsSpan().SequenceEqual(other._vector),
        };

    public override bool Equals(object? obj) => Equals(obj as ParamValue);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Kind);
        switch (Kind)
        {
            case ParamValueKind.Real: hash.Add(_real); break;
            case ParamValueKind.Integer: hash.Add(_integer); break;
            case ParamValueKind.Text: hash.Add(_text); break;
            default: foreach (var x in _vector!) hash.Add(x); break;
        }
        return hash.ToHashCode();
    }

    /// <summary>Round-trippable text ("R" format) so logs and diffs show exact values.</summary>
    public override string ToString() => Kind switch
    {
        ParamValueKind.Real => _real.ToString("R", CultureInfo.InvariantCulture),
        ParamValueKind.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        ParamValueKind.Text => _text!,
        _ => "[" + string.Join(",", _vector!.Select(x => x.ToString("R", CultureInfo.InvariantCulture))) + "]",
    };
}

namespace Search.Optimization.Spaces;

/// <summary>Maps a range [low, high] to [0,1], linearly or in log space (log needs low &gt; 0).</summary>
internal readonly record struct NumericScale(double Low, double High, bool Log)
{
    public double ToUnit(double x) => High == Low ? 0.5
        : Log ? (Math.Log(x) - Math.Log(Low)) / (Math.Log(High) - Math.Log(Low))
        : (x - Low) / (High - Low);

    public double FromUnit(double u)
    {
        u = Math.Clamp(u, 0.0, 1.0);
        var x = Log ? Math.Exp(Math.Log(Low) + u * (Math.Log(High) - Math.Log(Low))) : Low + u * (High - Low);
        return Math.Clamp(x, Low, High);
    }

    public bool Contains(double x) => x >= Low && x <= High;
}

namespace Search.Optimization.Levels;

/// <summary>
/// An allocation as units removed per layer: attention units (KV groups) and MLP channels. Value
/// equality (layer by layer), so the search never scores one allocation twice.
/// </summary>
public sealed class LevelGenome(int[] attention, int[] mlp) : IEquatable<LevelGenome>
{
    public IReadOnlyList<int> Attention { get; } = attention;
    public IReadOnlyList<int> Mlp { get; } = mlp;

    public int[] AttentionCopy() => Attention.ToArray();
    public int[] MlpCopy() => Mlp.ToArray();

    public bool Equals(LevelGenome? other) =>
        other is not null && Attention.SequenceEqual(other.Attention) && Mlp.SequenceEqual(other.Mlp);

    public override bool Equals(object? obj) => Equals(obj as LevelGenome);

    public override int GetHashCode()
    {
        int h = 17;
        foreach (int a in Attention) h = unchecked(h * 31 + a);
        foreach (int m in Mlp) h = unchecked(h * 31 + m);
        return h;
    }

    public override string ToString() => $"attention [{string.Join(",", Attention)}] mlp [{string.Join(",", Mlp)}]";
}

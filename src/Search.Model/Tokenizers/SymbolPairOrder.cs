namespace Search.Model.Tokenizers;

/// <summary>
/// The merge agenda's order, as in sentencepiece bpe_model.cc: highest score first and, on a
/// tie, the leftmost pair. Any other tie-break changes ids on real text.
/// </summary>
internal sealed class SymbolPairOrder : IComparer<SymbolPair>
{
    public static readonly SymbolPairOrder Instance = new();

    public int Compare(SymbolPair x, SymbolPair y)
    {
        // PriorityQueue dequeues the smallest element, so "better" must compare as smaller.
        int byScore = y.Score.CompareTo(x.Score);
        return byScore != 0 ? byScore : x.Left.CompareTo(y.Left);
    }
}

namespace Search.Model.Tokenizers;

/// <summary>
/// A candidate merge of two adjacent symbols. <see cref="Size"/> is the merged length when the
/// pair was queued; a mismatch later means one side changed and the entry is stale.
/// </summary>
internal readonly record struct SymbolPair(int Left, int Right, int Size, float Score);

using System.Text;
using Search.Training.Embedded;

namespace Search.Tests.Embedded;

/// <summary>
/// SentencePiece's BPE encoding, written naively from its definition to check that
/// <see cref="SyntheticTokenizer"/>'s greedy shortcut gives the same ids: normalize, split into
/// characters, repeatedly merge the adjacent pair whose concatenation is a NORMAL piece with the
/// highest score (leftmost on ties), then map pieces to ids with byte fallback. Quadratic; for short texts.
/// </summary>
internal static class ReferenceBpe
{
    public static int[] Encode(SyntheticVocabulary vocab, string text)
    {
        string normalized = string.Join(' ', text.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        if (normalized.Length == 0) return [];
        normalized = (" " + normalized).Replace(' ', SyntheticVocabulary.SpaceSymbol);
        var symbols = new List<string>();
        for (int i = 0; i < normalized.Length; i += char.IsSurrogatePair(normalized, i) ? 2 : 1)
            symbols.Add(char.IsSurrogatePair(normalized, i) ? normalized.Substring(i, 2) : normalized[i].ToString());
        while (true)
        {
            int best = -1;
            float bestScore = float.NegativeInfinity;
            for (int i = 0; i + 1 < symbols.Count; i++)
                if (vocab.NormalIds.TryGetValue(symbols[i] + symbols[i + 1], out int id) && vocab.Pieces[id].Score > bestScore)
                {
                    best = i;
                    bestScore = vocab.Pieces[id].Score;
                }
            if (best < 0) break;
            symbols[best] += symbols[best + 1];
            symbols.RemoveAt(best + 1);
        }
        var ids = new List<int>();
        foreach (var s in symbols)
            if (vocab.NormalIds.TryGetValue(s, out int id)) ids.Add(id);
            else ids.AddRange(Encoding.UTF8.GetBytes(s).Select(b => SyntheticVocabulary.FirstByteId + b));
        return [.. ids];
    }
}

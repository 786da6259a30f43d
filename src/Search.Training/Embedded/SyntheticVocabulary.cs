using Search.Model.Tokenizers;
namespace Search.Training.Embedded;

/// <summary>
/// The SentencePiece vocabulary of the synthetic language, Llama-style: &lt;unk&gt;=0, &lt;s&gt;=1,
/// &lt;/s&gt;=2, byte pieces &lt;0x00&gt;..&lt;0xFF&gt; at 3..258, then NORMAL pieces: "▁" and every
/// letter used, every prefix (length ≥ 2) of "▁"+word for each word, and the punctuation marks.
/// Prefix closure is what lets BPE build each whole word by merging left to right, one
/// character at a time; scores rise with length as a trained BPE model's would.
/// </summary>
public sealed class SyntheticVocabulary
{
    /// <summary>SentencePiece's whitespace symbol U+2581 ("▁").</summary>
    public const char SpaceSymbol = '\u2581';
    public const int UnkId = 0, BosId = 1, EosId = 2, FirstByteId = 3;

    public IReadOnlyList<SentencePieceEntry> Pieces { get; }

    /// <summary>NORMAL pieces → id (what BPE may produce; byte and control pieces are not in here).</summary>
    public IReadOnlyDictionary<string, int> NormalIds { get; }

    /// <summary>Length in characters of the longest piece, a bound for the tokenizer's greedy scan.</summary>
    public int MaxPieceLength { get; }

    private SyntheticVocabulary(List<SentencePieceEntry> pieces)
    {
        Pieces = pieces;
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < pieces.Count; i++)
            if (pieces[i].Type == SentencePieceType.Normal) ids.Add(pieces[i].Piece, i);
        NormalIds = ids;
        MaxPieceLength = ids.Keys.Max(p => p.Length);
    }

    public static readonly SyntheticVocabulary Default = Build(SyntheticLanguage.Words, SyntheticLanguage.Punctuation);

    public static SyntheticVocabulary Build(IEnumerable<string> words, string punctuation)
    {
        var wordList = words.ToList();
        if (wordList.Any(w => w.Length == 0 || w.Any(c => char.IsWhiteSpace(c) || c == SpaceSymbol || punctuation.Contains(c))))
            throw new ArgumentException("words must be non-empty and contain no whitespace, '▁' or punctuation", nameof(words));

        var pieces = new List<SentencePieceEntry>
        {
            new("<unk>", 0, SentencePieceType.Unknown),
            new("<s>", 0, SentencePieceType.Control),
            new("</s>", 0, SentencePieceType.Control),
        };
        for (int b = 0; b < 256; b++) pieces.Add(new($"<0x{b:X2}>", 0, SentencePieceType.Byte));

        // Single characters: "▁" and the alphabet (ordinal order, so the ids do not depend on word order).
        var letters = wordList.SelectMany(w => w).Distinct().Order().Select(c => c.ToString());
        foreach (var c in letters.Prepend(SpaceSymbol.ToString())) pieces.Add(new(c, 0, SentencePieceType.Normal));

        // Every prefix of "▁word" with ≥ 2 characters, shortest first; score = length − 1 so longer merges rank higher.
        var prefixes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var w in wordList)
        {
            string full = SpaceSymbol + w;
            for (int len = 2; len <= full.Length; len++) prefixes.Add(full[..len]);
        }
        foreach (var p in prefixes.OrderBy(p => p.Length).ThenBy(p => p, StringComparer.Ordinal))
            pieces.Add(new(p, p.Length - 1, SentencePieceType.Normal));

        foreach (var c in punctuation) pieces.Add(new(c.ToString(), 0, SentencePieceType.Normal));
        return new SyntheticVocabulary(pieces);
    }
}

using System.Text;
using Search.Model.Tokenizers;

namespace Search.Training.Embedded;

/// <summary>
/// Encodes exactly as SentencePiece BPE encodes with the <c>tokenizer.model</c> written from the
/// same <see cref="SyntheticVocabulary"/>, without parsing that file. Why a greedy scan gives the
/// BPE result: BPE repeatedly merges an adjacent pair whose concatenation is a NORMAL piece. Every
/// multi-character piece here is a prefix of "▁"+word, so a mergeable pair always starts with a
/// "▁"-initial symbol and contains no other "▁": merges never cross a "▁" and each "▁" segment can
/// only grow one character at a time to the right. The segment's final piece is therefore the
/// longest run "▁c1..ck" whose every prefix is a piece (the prefix closure makes "every prefix"
/// the same as "itself"), whatever order BPE's scores pick across segments. Characters outside a
/// piece stay single: a NORMAL single-character piece if there is one, else (byte_fallback) the
/// UTF-8 bytes as &lt;0xXX&gt; pieces. Normalization mirrors the model's NormalizerSpec: identity,
/// collapse and trim spaces, add the dummy-prefix "▁", spaces → "▁".
/// </summary>
public sealed class SyntheticTokenizer : ITextTokenizer
{
    private readonly SyntheticVocabulary vocab;

    public SyntheticTokenizer(SyntheticVocabulary vocab)
    {
        this.vocab = vocab;
        Fingerprint = "synthetic-spm-bpe:" + SentencePieceModelFile.Hash(vocab);
    }

    public static readonly SyntheticTokenizer Default = new(SyntheticVocabulary.Default);

    public int VocabSize => vocab.Pieces.Count;
    public int BosId => SyntheticVocabulary.BosId;
    public int? EosId => SyntheticVocabulary.EosId;
    public string Fingerprint { get; }

    public int[] Encode(string text)
    {
        string s = Normalize(text);
        var ids = new List<int>(s.Length / 3 + 1);
        var utf8 = new byte[4];
        int i = 0;
        while (i < s.Length)
        {
            if (s[i] == SyntheticVocabulary.SpaceSymbol)
            {
                // Grow the "▁" segment while the longer string is still a piece (see the class comment).
                int end = i + 1, bestEnd = i + 1;
                while (end < s.Length && s[end] != SyntheticVocabulary.SpaceSymbol && end - i < vocab.MaxPieceLength
                       && vocab.NormalIds.ContainsKey(s[i..(end + 1)]))
                    bestEnd = ++end;
                ids.Add(vocab.NormalIds[s[i..bestEnd]]);
                i = bestEnd;
                continue;
            }
            // One character (a surrogate pair counts as one, as SentencePiece splits by code point).
            int len = char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? 2 : 1;
            if (vocab.NormalIds.TryGetValue(s.Substring(i, len), out int id))
            {
                ids.Add(id);
            }
            else
            {
                int n = Encoding.UTF8.GetBytes(s, i, len, utf8, 0);
                for (int b = 0; b < n; b++) ids.Add(SyntheticVocabulary.FirstByteId + utf8[b]);
            }
            i += len;
        }
        return [.. ids];
    }

    /// <summary>Identity normalization with remove_extra_whitespaces, add_dummy_prefix and escape_whitespaces.</summary>
    private static string Normalize(string text)
    {
        var sb = new StringBuilder(text.Length + 1);
        bool pendingSpace = false;
        foreach (char c in text)
        {
            if (c == ' ') { pendingSpace = sb.Length > 0; continue; }
            if (pendingSpace || sb.Length == 0) sb.Append(SyntheticVocabulary.SpaceSymbol); // dummy prefix, or one kept space
            pendingSpace = false;
            sb.Append(c);
        }
        return sb.ToString();
    }

    public string Decode(IReadOnlyList<int> ids)
    {
        var text = new StringBuilder();
        var bytes = new List<byte>();
        void FlushBytes()
        {
            if (bytes.Count == 0) return;
            text.Append(Encoding.UTF8.GetString([.. bytes]));
            bytes.Clear();
        }
        foreach (int id in ids)
        {
            if (id < 0 || id >= vocab.Pieces.Count) throw new ArgumentOutOfRangeException(nameof(ids), id, "token id outside the vocabulary");
            var p = vocab.Pieces[id];
            switch (p.Type)
            {
                case SentencePieceType.Byte:
                    bytes.Add((byte)(id - SyntheticVocabulary.FirstByteId));
                    break;
                case SentencePieceType.Normal:
                    FlushBytes();
                    text.Append(p.Piece);
                    break;
                default:
                    break; // <unk>, <s>, </s>: special tokens are dropped
            }
        }
        FlushBytes();
        // The dummy prefix: a leading "▁" was added by Encode, not present in the text.
        if (text.Length > 0 && text[0] == SyntheticVocabulary.SpaceSymbol) text.Remove(0, 1);
        return text.Replace(SyntheticVocabulary.SpaceSymbol, ' ').ToString();
    }
}

using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Search.Model.Tokenizers;

/// <summary>
/// Byte-level BPE from a Hugging Face <c>tokenizer.json</c> (Llama 3 style), on top of
/// Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/>; we only supply the JSON parse and
/// <c>ignore_merges</c>, which the library lacks.
/// </summary>
public sealed class HfByteLevelBpeTokenizer : ITextTokenizer
{
    private readonly BpeTokenizer _bpe;
    private readonly HfTokenizerDefinition _definition;

    // GPT-2's byte → printable char table, needed only to test whole words against the vocab.
    private static readonly char[] ByteToChar = BuildByteToChar();

    public HfByteLevelBpeTokenizer(HfTokenizerDefinition definition, string fingerprint)
    {
        _definition = definition;
        Fingerprint = fingerprint;
        var specials = new Dictionary<string, int>(definition.AddedTokens, StringComparer.Ordinal);
        _bpe = BpeTokenizer.Create(new BpeOptions(definition.Vocab)
        {
            Merges = definition.Merges,
            SpecialTokens = specials,
            ByteLevel = true,
            PreTokenizer = new RegexPreTokenizer(new Regex(definition.SplitPattern, RegexOptions.Compiled), specials),
        });

        int maxId = -1;
        foreach (int id in definition.Vocab.Values.Concat(definition.AddedTokens.Values))
        {
            maxId = Math.Max(maxId, id);
        }

        VocabSize = maxId + 1;
    }

    public int VocabSize { get; }

    public int BosId => _definition.BosId;

    public int? EosId => _definition.EosId;

    public string Fingerprint { get; }

    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!_definition.IgnoreMerges)
        {
            return [.. _bpe.EncodeToIds(text)];
        }

        // ignore_merges: a pre-token that is itself in the vocab is emitted whole, without BPE.
        var ids = new List<int>();
        foreach ((int offset, int length) in _bpe.PreTokenizer!.PreTokenize(text))
        {
            string word = text.Substring(offset, length);
            if (_definition.AddedTokens.TryGetValue(word, out int id) || _definition.Vocab.TryGetValue(ToByteLevel(word), out id))
            {
                ids.Add(id);
            }
            else
            {
                ids.AddRange(_bpe.EncodeToIds(word, considerPreTokenization: false, considerNormalization: false));
            }
        }

        return [.. ids];
    }

    public string Decode(IReadOnlyList<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return _bpe.Decode(ids, considerSpecialTokens: false);
    }

    private static string ToByteLevel(string word)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(word);
        return string.Create(bytes.Length, bytes, static (span, b) =>
        {
            for (int i = 0; i < b.Length; i++)
            {
                span[i] = ByteToChar[b[i]];
            }
        });
    }

    private static char[] BuildByteToChar()
    {
        // Printable Latin-1 bytes stand for themselves; the rest take 256, 257, ... in byte order.
        var table = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? (char)b : (char)next++;
        }

        return table;
    }
}

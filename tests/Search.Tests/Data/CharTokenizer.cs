using Search.Model.Tokenizers;

namespace Search.Tests.Data;

/// <summary>A deterministic stand-in tokenizer for data tests: one id per UTF-16 char (char code + 3, so 0..2 stay special).</summary>
internal sealed class CharTokenizer(string fingerprint = "char-test-v1") : ITextTokenizer
{
    public int EncodeCalls { get; private set; }

    public int VocabSize => 0x10000 + 3;
    public int BosId => 1;
    public int? EosId => 2;
    public string Fingerprint { get; } = fingerprint;

    public int[] Encode(string text)
    {
        EncodeCalls++;
        return text.Select(c => c + 3).ToArray();
    }

    public string Decode(IReadOnlyList<int> ids) =>
        new(ids.Where(id => id >= 3).Select(id => (char)(id - 3)).ToArray());
}

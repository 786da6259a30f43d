using Search.Model.Tokenizers;

namespace Search.Tests.Support;

/// <summary>One id per char, folded into a small vocabulary (ids 3..vocab−1; 1 is BOS): real text for random models of any vocabulary.</summary>
internal sealed class SmallVocabTokenizer(int vocab) : ITextTokenizer
{
    public int VocabSize => vocab;
    public int BosId => 1;
    public int? EosId => 2;
    public string Fingerprint => $"small-vocab-{vocab}";
    public int[] Encode(string text) => text.Select(c => 3 + c % (vocab - 3)).ToArray();
    public string Decode(IReadOnlyList<int> ids) => "";
}

namespace Search.Model.Tokenizers;

/// <summary>What we take from a Hugging Face byte-level BPE <c>tokenizer.json</c> (plus the optional config files).</summary>
public sealed record HfTokenizerDefinition(
    IReadOnlyDictionary<string, int> Vocab,
    IReadOnlyList<string> Merges,
    IReadOnlyDictionary<string, int> AddedTokens,
    string SplitPattern,
    bool IgnoreMerges,
    int BosId,
    int? EosId);

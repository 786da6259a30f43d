namespace Search.Model.Tokenizers;

/// <summary>Text ↔ token ids, as the model's own tokenizer defines them. Never adds BOS itself.</summary>
public interface ITextTokenizer
{
    /// <summary>Number of ids the tokenizer can produce (≤ the model's vocab_size).</summary>
    int VocabSize { get; }

    /// <summary>Beginning-of-sequence id (1 for Llama 1/2 SentencePiece models).</summary>
    int BosId { get; }

    /// <summary>End-of-sequence id, when the tokenizer has one.</summary>
    int? EosId { get; }

    /// <summary>A short stable description (kind + file hash) used to key token caches.</summary>
    string Fingerprint { get; }

    /// <summary>Encodes text without adding BOS/EOS.</summary>
    int[] Encode(string text);

    /// <summary>Decodes ids back to text (special tokens dropped).</summary>
    string Decode(IReadOnlyList<int> ids);
}

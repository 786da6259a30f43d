using Microsoft.ML.Tokenizers;
using Search.Model.Tokenizers;

namespace Search.Tests.Tokenizers;

/// <summary>The real 32000-piece Llama 2 SentencePiece BPE (remove_extra_whitespaces = false).</summary>
public class Llama2TokenizerTests
{
    private static readonly Lazy<SentencePieceBpeTokenizer> Tokenizer = new(() => TokenizerLoader.LoadSentencePiece(SharedAssets.Llama2ModelPath));

    [SharedFact]
    public void Loads_WithLlama2Settings()
    {
        SentencePieceBpeTokenizer tok = Tokenizer.Value;
        Assert.Equal(32000, tok.VocabSize);
        Assert.Equal(1, tok.BosId);
        Assert.Equal(2, tok.EosId);
        Assert.False(tok.Model.RemoveExtraWhitespaces);
        Assert.True(tok.Model.ByteFallback);
        Assert.StartsWith("spm-bpe:", tok.Fingerprint, StringComparison.Ordinal);
    }

    [SharedTheory]
    [InlineData("Hello world")]
    [InlineData("  two leading spaces, a   run   of spaces, and trailing  ")]
    [InlineData("line one\nline two\n\n\tindented\r\nend\n")]
    [InlineData("digits 0123456789 and 3.14159 and 1,000,000")]
    [InlineData("héllo 日本語 🙂")]
    [InlineData("Ελληνικά, русский, العربية, עברית, हिन्दी")]
    [InlineData("a")]
    [InlineData(" ")]
    public void DecodeOfEncode_IsIdentity(string text)
    {
        int[] ids = Tokenizer.Value.Encode(text);
        Assert.NotEmpty(ids);
        Assert.Equal(text, Tokenizer.Value.Decode(ids));
    }

    [SharedFact]
    public void UnknownCharacters_FallBackToBytePieces()
    {
        // U+1F642 is not a Llama 2 piece: its four UTF-8 bytes come out as <0xXX> pieces.
        int[] ids = Tokenizer.Value.Encode("🙂");
        string[] pieces = [.. ids.Select(id => Tokenizer.Value.Model.Pieces[id])];
        Assert.Equal(["▁", "<0xF0>", "<0x9F>", "<0x99>", "<0x82>"], pieces);
    }

    /// <summary>
    /// Microsoft.ML.Tokenizers' LlamaTokenizer agrees with sentencepiece on ordinary sentences
    /// (no whitespace runs, docs/toolchain.md 8), so it is an independent check of the merge order.
    /// </summary>
    [SharedTheory]
    [InlineData("Once upon a time, there was a little girl named Lily.")]
    [InlineData("The quick brown fox jumps over the lazy dog.")]
    [InlineData("Robert Boulter is an English film, television and theatre actor.")]
    [InlineData("In 2006 the company reported revenue of $1.2 billion, up 15% from 2005.")]
    [InlineData("She said: \"Don't worry; it's fine!\"")]
    public void Matches_MicrosoftLlamaTokenizer_OnPlainSentences(string text)
    {
        using FileStream stream = File.OpenRead(SharedAssets.Llama2ModelPath);
        LlamaTokenizer reference = LlamaTokenizer.Create(stream, addBeginOfSentence: false, addEndOfSentence: false);
        IReadOnlyList<int> expected = reference.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false);
        Assert.Equal(expected, Tokenizer.Value.Encode(text));
    }
}

using Search.Training.Embedded;

namespace Search.Tests.Embedded;

public sealed class SyntheticTokenizerTests
{
    private static readonly SyntheticTokenizer Tok = SyntheticTokenizer.Default;
    private static readonly SyntheticVocabulary Vocab = SyntheticVocabulary.Default;

    [Fact]
    public void Given_generated_text_When_encoding_and_decoding_Then_the_text_comes_back_exactly()
    {
        // The file's very first character is a space, which SentencePiece drops (leading whitespace
        // is removed, then the dummy prefix is added); everything after it round-trips exactly.
        string text = SyntheticLanguage.Generate(11, 300_000)[1..];
        Assert.Equal(text, Tok.Decode(Tok.Encode(text)));
    }

    [Fact]
    public void Given_generated_text_When_encoding_Then_every_word_is_one_piece()
    {
        string text = SyntheticLanguage.Generate(12, 50_000);
        int newline = SyntheticVocabulary.FirstByteId + '\n';
        foreach (int id in Tok.Encode(text))
        {
            var p = Vocab.Pieces[id];
            bool wordPiece = p.Piece[0] == SyntheticVocabulary.SpaceSymbol && SyntheticLanguage.WordSet.Contains(p.Piece[1..]);
            bool punctuation = p.Piece.Length == 1 && SyntheticLanguage.Punctuation.Contains(p.Piece[0]);
            Assert.True(wordPiece || punctuation || id == newline, $"unexpected piece '{p.Piece}' ({id})");
        }
    }

    [Fact]
    public void Given_generated_text_When_comparing_with_reference_BPE_Then_ids_are_identical()
    {
        foreach (var line in SyntheticLanguage.Generate(13, 20_000).Split('\n').Take(40))
            Assert.Equal(ReferenceBpe.Encode(Vocab, line), Tok.Encode(line));
    }

    [Theory]
    [InlineData("Hello  wörld   123\t!")]
    [InlineData("  Tom  ran quickly .  ")]
    [InlineData("cats catsx xcats Toms")]
    [InlineData("emoji 🦊 fox, Ñ and 中文?")]
    [InlineData(" ")]
    [InlineData("")]
    public void Given_arbitrary_text_When_encoding_Then_ids_match_reference_BPE_and_decode_to_the_normalized_text(string text)
    {
        var ids = Tok.Encode(text);
        Assert.Equal(ReferenceBpe.Encode(Vocab, text), ids);
        string normalized = string.Join(' ', text.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(normalized, Tok.Decode(ids));
    }

    [Fact]
    public void Given_the_vocabulary_Then_specials_and_bytes_have_llama_ids()
    {
        Assert.Equal(1, Tok.BosId);
        Assert.Equal(2, Tok.EosId);
        Assert.Equal(Vocab.Pieces.Count, Tok.VocabSize);
        Assert.Equal("<0x0A>", Vocab.Pieces[3 + 10].Piece);
        Assert.Equal([Vocab.NormalIds["▁Tom"], Vocab.NormalIds["▁ran"], Vocab.NormalIds["."]], Tok.Encode("Tom ran."));
        Assert.Equal("Tom ran.", Tok.Decode([1, .. Tok.Encode("Tom ran."), 2]));
        Assert.StartsWith("synthetic-spm-bpe:", Tok.Fingerprint);
    }
}

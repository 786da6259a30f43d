using Search.Model.Tokenizers;
using Search.Training.Embedded;

namespace Search.Tests.Embedded;

public sealed class SentencePieceModelFileTests
{
    private static readonly SyntheticVocabulary Vocab = SyntheticVocabulary.Default;

    [Fact]
    public void Given_the_written_model_When_parsed_independently_Then_pieces_scores_and_types_are_the_intended_ones()
    {
        var model = SentencePieceMiniReader.Parse(SentencePieceModelFile.Serialize(Vocab));
        Assert.Equal(Vocab.Pieces, model.Pieces);

        Assert.Equal(new SentencePieceEntry("<unk>", 0, SentencePieceType.Unknown), model.Pieces[0]);
        Assert.Equal(new SentencePieceEntry("<s>", 0, SentencePieceType.Control), model.Pieces[1]);
        Assert.Equal(new SentencePieceEntry("</s>", 0, SentencePieceType.Control), model.Pieces[2]);
        for (int b = 0; b < 256; b++)
            Assert.Equal(new SentencePieceEntry($"<0x{b:X2}>", 0, SentencePieceType.Byte), model.Pieces[3 + b]);
        Assert.Equal(new SentencePieceEntry("▁", 0, SentencePieceType.Normal), model.Pieces[259]);

        var normal = model.Pieces.Skip(259).ToList();
        Assert.All(normal, p => Assert.Equal(SentencePieceType.Normal, p.Type));
        Assert.Equal(normal.Count, normal.Select(p => p.Piece).Distinct().Count());
        // Every word's whole piece and its prefix chain exist, with scores rising along the chain.
        var byPiece = normal.ToDictionary(p => p.Piece);
        foreach (var w in SyntheticLanguage.Words)
        {
            string full = "▁" + w;
            for (int len = 2; len <= full.Length; len++)
            {
                Assert.True(byPiece.ContainsKey(full[..len]), $"missing '{full[..len]}'");
                if (len > 2) Assert.True(byPiece[full[..len]].Score > byPiece[full[..(len - 1)]].Score);
            }
        }
        Assert.All(SyntheticLanguage.Punctuation, c => Assert.True(byPiece.ContainsKey(c.ToString())));
        Assert.All(SyntheticLanguage.Words.SelectMany(w => w).Distinct(), c => Assert.True(byPiece.ContainsKey(c.ToString())));
    }

    [Fact]
    public void Given_the_written_model_When_parsed_Then_the_specs_say_BPE_with_byte_fallback_and_identity_normalization()
    {
        var model = SentencePieceMiniReader.Parse(SentencePieceModelFile.Serialize(Vocab));
        Assert.Equal(2UL, model.TrainerVarints[3]);   // model_type = BPE
        Assert.Equal(1UL, model.TrainerVarints[35]);  // byte_fallback
        Assert.Equal((ulong)Vocab.Pieces.Count, model.TrainerVarints[4]); // vocab_size
        Assert.Equal(0UL, model.TrainerVarints[40]);  // unk_id
        Assert.Equal(1UL, model.TrainerVarints[41]);  // bos_id
        Assert.Equal(2UL, model.TrainerVarints[42]);  // eos_id
        Assert.Equal("identity", model.NormalizerName);
        Assert.Equal(1UL, model.NormalizerVarints[3]); // add_dummy_prefix
        Assert.Equal(1UL, model.NormalizerVarints[4]); // remove_extra_whitespaces
        Assert.Equal(1UL, model.NormalizerVarints[5]); // escape_whitespaces
    }
}

using System.Security.Cryptography;

namespace Search.Training.Embedded;

/// <summary>
/// Serializes a vocabulary as a SentencePiece <c>tokenizer.model</c> (ModelProto). Field numbers
/// are those of google/sentencepiece <c>src/sentencepiece_model.proto</c>:
/// ModelProto { pieces = 1; trainer_spec = 2; normalizer_spec = 3 },
/// SentencePiece { piece = 1; score = 2; type = 3 },
/// TrainerSpec { model_type = 3 (BPE = 2); vocab_size = 4; byte_fallback = 35; unk_id = 40; bos_id = 41; eos_id = 42 },
/// NormalizerSpec { name = 1; add_dummy_prefix = 3; remove_extra_whitespaces = 4; escape_whitespaces = 5 }.
/// The normalizer is "identity" (no precompiled charsmap), like Llama's tokenizer.
/// </summary>
public static class SentencePieceModelFile
{
    public const string FileName = "tokenizer.model";
    private const int ModelTypeBpe = 2;

    public static byte[] Serialize(SyntheticVocabulary vocab)
    {
        var model = new ProtobufWriter();
        foreach (var p in vocab.Pieces)
            model.Message(1, new ProtobufWriter().String(1, p.Piece).Float(2, p.Score).Varint(3, (ulong)p.Type));
        model.Message(2, new ProtobufWriter()
            .Varint(3, ModelTypeBpe)
            .Int32(4, vocab.Pieces.Count)
            .Bool(35, true)
            .Int32(40, SyntheticVocabulary.UnkId)
            .Int32(41, SyntheticVocabulary.BosId)
            .Int32(42, SyntheticVocabulary.EosId));
        model.Message(3, new ProtobufWriter()
            .String(1, "identity")
            .Bool(3, true)
            .Bool(4, true)
            .Bool(5, true));
        return model.ToArray();
    }

    public static void Write(SyntheticVocabulary vocab, string path) => File.WriteAllBytes(path, Serialize(vocab));

    /// <summary>sha256 of the serialized model, shortened: keys token caches like a real tokenizer file's hash would.</summary>
    public static string Hash(SyntheticVocabulary vocab) => Convert.ToHexStringLower(SHA256.HashData(Serialize(vocab)))[..16];
}

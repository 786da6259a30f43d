namespace Search.Model.Tokenizers;

/// <summary>
/// The parts of a SentencePiece <c>ModelProto</c> (sentencepiece_model.proto) that encoding
/// and decoding depend on. Field numbers below were checked against that .proto file.
/// </summary>
public sealed class SentencePieceModel
{
    // TrainerSpec.ModelType: UNIGRAM = 1, BPE = 2, WORD = 3, CHAR = 4.
    public const int ModelTypeBpe = 2;

    public required IReadOnlyList<string> Pieces { get; init; }

    public required IReadOnlyList<float> Scores { get; init; }

    public required IReadOnlyList<SentencePieceType> Types { get; init; }

    /// <summary>TrainerSpec.model_type (field 3), default UNIGRAM.</summary>
    public int ModelType { get; init; } = 1;

    /// <summary>TrainerSpec.byte_fallback (field 35), default false.</summary>
    public bool ByteFallback { get; init; }

    /// <summary>TrainerSpec.treat_whitespace_as_suffix (field 24), default false.</summary>
    public bool TreatWhitespaceAsSuffix { get; init; }

    /// <summary>TrainerSpec.unk_id (field 40), default 0.</summary>
    public int UnkId { get; init; }

    /// <summary>TrainerSpec.bos_id (field 41), default 1; -1 means none.</summary>
    public int BosId { get; init; } = 1;

    /// <summary>TrainerSpec.eos_id (field 42), default 2; -1 means none.</summary>
    public int EosId { get; init; } = 2;

    /// <summary>TrainerSpec.unk_surface (field 44): what a decoded &lt;unk&gt; prints as.</summary>
    public string UnkSurface { get; init; } = " \u2047 ";

    /// <summary>NormalizerSpec.name (field 1).</summary>
    public string NormalizerName { get; init; } = "";

    /// <summary>Length of NormalizerSpec.precompiled_charsmap (field 2); non-zero means non-identity rules.</summary>
    public int PrecompiledCharsMapLength { get; init; }

    /// <summary>NormalizerSpec.add_dummy_prefix (field 3), default true.</summary>
    public bool AddDummyPrefix { get; init; } = true;

    /// <summary>NormalizerSpec.remove_extra_whitespaces (field 4), default true.</summary>
    public bool RemoveExtraWhitespaces { get; init; } = true;

    /// <summary>NormalizerSpec.escape_whitespaces (field 5), default true.</summary>
    public bool EscapeWhitespaces { get; init; } = true;

    /// <summary>Parses a serialized ModelProto. Throws <see cref="FormatException"/> on malformed input.</summary>
    public static SentencePieceModel Parse(ReadOnlySpan<byte> data)
    {
        var pieces = new List<string>();
        var scores = new List<float>();
        var types = new List<SentencePieceType>();
        var trainer = new TrainerFields();
        var normalizer = new NormalizerFields();

        var reader = new ProtoReader(data);
        while (reader.TryReadTag(out int field, out int wire))
        {
            switch (field)
            {
                case 1 when wire == ProtoReader.LengthDelimited:
                    ReadPiece(reader.ReadBytes(), pieces, scores, types);
                    break;
                case 2 when wire == ProtoReader.LengthDelimited:
                    trainer = ReadTrainerSpec(reader.ReadBytes());
                    break;
                case 3 when wire == ProtoReader.LengthDelimited:
                    normalizer = ReadNormalizerSpec(reader.ReadBytes());
                    break;
                default:
                    // self_test_data (4), denormalizer_spec (5) and extensions do not affect ids.
                    reader.Skip(wire);
                    break;
            }
        }

        if (pieces.Count == 0)
        {
            throw new FormatException("no pieces");
        }

        return new SentencePieceModel
        {
            Pieces = pieces,
            Scores = scores,
            Types = types,
            ModelType = trainer.ModelType,
            ByteFallback = trainer.ByteFallback,
            TreatWhitespaceAsSuffix = trainer.TreatWhitespaceAsSuffix,
            UnkId = trainer.UnkId,
            BosId = trainer.BosId,
            EosId = trainer.EosId,
            UnkSurface = trainer.UnkSurface,
            NormalizerName = normalizer.Name,
            PrecompiledCharsMapLength = normalizer.CharsMapLength,
            AddDummyPrefix = normalizer.AddDummyPrefix,
            RemoveExtraWhitespaces = normalizer.RemoveExtraWhitespaces,
            EscapeWhitespaces = normalizer.EscapeWhitespaces,
        };
    }

    private static void ReadPiece(ReadOnlySpan<byte> data, List<string> pieces, List<float> scores, List<SentencePieceType> types)
    {
        string? piece = null;
        float score = 0f;
        var type = SentencePieceType.Normal;
        var reader = new ProtoReader(data);
        while (reader.TryReadTag(out int field, out int wire))
        {
            switch (field)
            {
                case 1 when wire == ProtoReader.LengthDelimited:
                    piece = reader.ReadString();
                    break;
                case 2 when wire == ProtoReader.Fixed32:
                    score = reader.ReadFloat();
                    break;
                case 3 when wire == ProtoReader.Varint:
                    int raw = reader.ReadInt32();
                    if (raw < 1 || raw > 6)
                    {
                        throw new FormatException($"piece type {raw} out of range");
                    }

                    type = (SentencePieceType)raw;
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        // sentencepiece rejects empty pieces at load time; so do we.
        if (string.IsNullOrEmpty(piece))
        {
            throw new FormatException($"piece {pieces.Count} is empty");
        }

        pieces.Add(piece);
        scores.Add(score);
        types.Add(type);
    }

    private static TrainerFields ReadTrainerSpec(ReadOnlySpan<byte> data)
    {
        var t = new TrainerFields();
        var reader = new ProtoReader(data);
        while (reader.TryReadTag(out int field, out int wire))
        {
            switch (field)
            {
                case 3 when wire == ProtoReader.Varint: t.ModelType = reader.ReadInt32(); break;
                case 24 when wire == ProtoReader.Varint: t.TreatWhitespaceAsSuffix = reader.ReadBool(); break;
                case 35 when wire == ProtoReader.Varint: t.ByteFallback = reader.ReadBool(); break;
                case 40 when wire == ProtoReader.Varint: t.UnkId = reader.ReadInt32(); break;
                case 41 when wire == ProtoReader.Varint: t.BosId = reader.ReadInt32(); break;
                case 42 when wire == ProtoReader.Varint: t.EosId = reader.ReadInt32(); break;
                case 44 when wire == ProtoReader.LengthDelimited: t.UnkSurface = reader.ReadString(); break;
                default: reader.Skip(wire); break;
            }
        }

        return t;
    }

    private static NormalizerFields ReadNormalizerSpec(ReadOnlySpan<byte> data)
    {
        var n = new NormalizerFields();
        var reader = new ProtoReader(data);
        while (reader.TryReadTag(out int field, out int wire))
        {
            switch (field)
            {
                case 1 when wire == ProtoReader.LengthDelimited: n.Name = reader.ReadString(); break;
                case 2 when wire == ProtoReader.LengthDelimited: n.CharsMapLength = reader.ReadBytes().Length; break;
                case 3 when wire == ProtoReader.Varint: n.AddDummyPrefix = reader.ReadBool(); break;
                case 4 when wire == ProtoReader.Varint: n.RemoveExtraWhitespaces = reader.ReadBool(); break;
                case 5 when wire == ProtoReader.Varint: n.EscapeWhitespaces = reader.ReadBool(); break;
                default: reader.Skip(wire); break;
            }
        }

        return n;
    }

    // Mutable scratch holders carrying the proto defaults while a sub-message is read.
    private sealed class TrainerFields
    {
        public int ModelType = 1;
        public bool TreatWhitespaceAsSuffix;
        public bool ByteFallback;
        public int UnkId;
        public int BosId = 1;
        public int EosId = 2;
        public string UnkSurface = " \u2047 ";
    }

    private sealed class NormalizerFields
    {
        public string Name = "";
        public int CharsMapLength;
        public bool AddDummyPrefix = true;
        public bool RemoveExtraWhitespaces = true;
        public bool EscapeWhitespaces = true;
    }
}

namespace Search.Model.Embedded;

/// <summary>ModelProto.SentencePiece.Type of google/sentencepiece's sentencepiece_model.proto (values are the wire values).</summary>
public enum SentencePieceType
{
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
}

/// <summary>One vocabulary entry as stored in <c>tokenizer.model</c>.</summary>
public sealed record SentencePieceEntry(string Piece, float Score, SentencePieceType Type);

namespace Search.Model.Tokenizers;

/// <summary>ModelProto.SentencePiece.Type, with the numbers used on the wire.</summary>
public enum SentencePieceType
{
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
}

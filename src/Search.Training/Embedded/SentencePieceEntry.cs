using Search.Model.Tokenizers;

namespace Search.Training.Embedded;

/// <summary>One piece of a SentencePiece model as the writer stores it.</summary>
public sealed record SentencePieceEntry(string Piece, float Score, SentencePieceType Type);

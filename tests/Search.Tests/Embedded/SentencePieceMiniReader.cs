using Search.Model.Tokenizers;
using System.Buffers.Binary;
using System.Text;
using Search.Training.Embedded;

namespace Search.Tests.Embedded;

/// <summary>
/// A deliberately independent, minimal protobuf decoder for the tokenizer.model we write: enough
/// to check ids ↔ pieces, types, and the spec fields without trusting our own writer's code.
/// </summary>
internal sealed class SentencePieceMiniReader
{
    public List<SentencePieceEntry> Pieces { get; } = [];
    /// <summary>TrainerSpec varint fields by field number (model_type = 3, byte_fallback = 35, ...).</summary>
    public Dictionary<int, ulong> TrainerVarints { get; } = [];
    public string? NormalizerName { get; private set; }
    /// <summary>NormalizerSpec varint fields (add_dummy_prefix = 3, remove_extra_whitespaces = 4, escape_whitespaces = 5).</summary>
    public Dictionary<int, ulong> NormalizerVarints { get; } = [];

    public static SentencePieceMiniReader Parse(byte[] data)
    {
        var r = new SentencePieceMiniReader();
        foreach (var (field, wire, value, bytes) in Fields(data))
        {
            Assert.Equal(2, wire); // ModelProto's fields 1..3 are all messages
            switch (field)
            {
                case 1: r.Pieces.Add(ParsePiece(bytes!)); break;
                case 2:
                    foreach (var f in Fields(bytes!)) if (f.Wire == 0) r.TrainerVarints[f.Field] = f.Value;
                    break;
                case 3:
                    foreach (var f in Fields(bytes!))
                        if (f.Field == 1) r.NormalizerName = Encoding.UTF8.GetString(f.Bytes!);
                        else if (f.Wire == 0) r.NormalizerVarints[f.Field] = f.Value;
                    break;
                default: Assert.Fail($"unexpected ModelProto field {field} ({value})"); break;
            }
        }
        return r;
    }

    private static SentencePieceEntry ParsePiece(byte[] data)
    {
        string? piece = null;
        float score = float.NaN;
        var type = SentencePieceType.Normal; // proto2 default
        foreach (var (field, _, value, bytes) in Fields(data))
        {
            if (field == 1) piece = Encoding.UTF8.GetString(bytes!);
            else if (field == 2) score = BitConverter.Int32BitsToSingle((int)value);
            else if (field == 3) type = (SentencePieceType)(int)value;
        }
        return new SentencePieceEntry(piece ?? throw new InvalidDataException("piece without text"), score, type);
    }

    private static IEnumerable<(int Field, int Wire, ulong Value, byte[]? Bytes)> Fields(byte[] data)
    {
        int pos = 0;
        while (pos < data.Length)
        {
            ulong tag = ReadVarint(data, ref pos);
            int field = (int)(tag >> 3), wire = (int)(tag & 7);
            switch (wire)
            {
                case 0: yield return (field, wire, ReadVarint(data, ref pos), null); break;
                case 5:
                    yield return (field, wire, BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(pos, 4)), null);
                    pos += 4;
                    break;
                case 2:
                    int len = (int)ReadVarint(data, ref pos);
                    yield return (field, wire, (ulong)len, data[pos..(pos + len)]);
                    pos += len;
                    break;
                default: throw new InvalidDataException($"wire type {wire} at byte {pos}");
            }
        }
    }

    private static ulong ReadVarint(byte[] data, ref int pos)
    {
        ulong v = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = data[pos++];
            v |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return v;
        }
    }
}

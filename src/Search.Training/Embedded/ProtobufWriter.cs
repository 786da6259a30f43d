using System.Buffers.Binary;
using System.Text;

namespace Search.Training.Embedded;

/// <summary>
/// The few protobuf wire-format primitives needed to write a SentencePiece ModelProto: varints
/// (wire type 0), 32-bit floats (wire type 5) and length-delimited strings/messages (wire type 2).
/// Fields are written in the order called, so the output is byte-stable.
/// </summary>
internal sealed class ProtobufWriter
{
    private readonly MemoryStream stream = new();

    public byte[] ToArray() => stream.ToArray();

    public ProtobufWriter Varint(int field, ulong value)
    {
        Tag(field, 0);
        WriteVarint(value);
        return this;
    }

    /// <summary>int32/enum: negative values are sign-extended to 64 bits (10 bytes), as protobuf specifies.</summary>
    public ProtobufWriter Int32(int field, int value) => Varint(field, unchecked((ulong)(long)value));

    public ProtobufWriter Bool(int field, bool value) => Varint(field, value ? 1UL : 0UL);

    public ProtobufWriter Float(int field, float value)
    {
        Tag(field, 5);
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(b, value);
        stream.Write(b);
        return this;
    }

    public ProtobufWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtobufWriter Message(int field, ProtobufWriter message) => Bytes(field, message.ToArray());

    public ProtobufWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, 2);
        WriteVarint((ulong)value.Length);
        stream.Write(value);
        return this;
    }

    private void Tag(int field, int wireType) => WriteVarint(((ulong)field << 3) | (uint)wireType);

    private void WriteVarint(ulong v)
    {
        while (v >= 0x80)
        {
            stream.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }
        stream.WriteByte((byte)v);
    }
}

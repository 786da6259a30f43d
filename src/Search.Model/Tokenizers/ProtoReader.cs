namespace Search.Model.Tokenizers;

/// <summary>
/// A minimal protobuf wire-format reader: just enough to walk a SentencePiece ModelProto
/// without taking a dependency on a protobuf runtime or generated code.
/// </summary>
internal ref struct ProtoReader(ReadOnlySpan<byte> data)
{
    /// <summary>Wire type 0: varint.</summary>
    public const int Varint = 0;

    /// <summary>Wire type 1: 64-bit little-endian.</summary>
    public const int Fixed64 = 1;

    /// <summary>Wire type 2: length-delimited (strings, bytes, nested messages).</summary>
    public const int LengthDelimited = 2;

    /// <summary>Wire type 5: 32-bit little-endian.</summary>
    public const int Fixed32 = 5;

    private readonly ReadOnlySpan<byte> _data = data;
    private int _pos;

    public readonly bool AtEnd => _pos >= _data.Length;

    /// <summary>Reads the next tag; returns false at the end of the message.</summary>
    public bool TryReadTag(out int field, out int wireType)
    {
        if (AtEnd)
        {
            field = 0;
            wireType = 0;
            return false;
        }

        ulong tag = ReadVarint();
        field = checked((int)(tag >> 3));
        wireType = (int)(tag & 7);
        if (field == 0)
        {
            throw new FormatException("protobuf field number 0");
        }

        return true;
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (_pos >= _data.Length)
            {
                throw new FormatException("truncated protobuf varint");
            }

            byte b = _data[_pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new FormatException("protobuf varint longer than 10 bytes");
    }

    /// <summary>
    /// int32 fields are sign-extended to 64 bits on the wire (pad_id = -1 takes 10 bytes),
    /// so truncating the varint gives the right value.
    /// </summary>
    public int ReadInt32() => unchecked((int)ReadVarint());

    public bool ReadBool() => ReadVarint() != 0;

    public float ReadFloat() => BitConverter.Int32BitsToSingle(unchecked((int)ReadFixed(4)));

    public ReadOnlySpan<byte> ReadBytes()
    {
        ulong length = ReadVarint();
        if (length > (ulong)(_data.Length - _pos))
        {
            throw new FormatException("protobuf length-delimited field runs past the end");
        }

        ReadOnlySpan<byte> slice = _data.Slice(_pos, (int)length);
        _pos += (int)length;
        return slice;
    }

    /// <summary>Strict UTF-8: a piece that is not valid UTF-8 means the file is corrupt.</summary>
    public string ReadString()
    {
        ReadOnlySpan<byte> bytes = ReadBytes();
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException e)
        {
            throw new FormatException("protobuf string is not valid UTF-8", e);
        }
    }

    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case Varint:
                ReadVarint();
                break;
            case Fixed64:
                ReadFixed(8);
                break;
            case LengthDelimited:
                ReadBytes();
                break;
            case Fixed32:
                ReadFixed(4);
                break;
            default:
                // Groups (3/4) are deprecated and never written by sentencepiece.
                throw new FormatException($"unsupported protobuf wire type {wireType}");
        }
    }

    private ulong ReadFixed(int size)
    {
        if (size > _data.Length - _pos)
        {
            throw new FormatException("truncated protobuf fixed-width field");
        }

        ulong value = 0;
        for (int i = 0; i < size; i++)
        {
            value |= (ulong)_data[_pos + i] << (8 * i);
        }

        _pos += size;
        return value;
    }

    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}

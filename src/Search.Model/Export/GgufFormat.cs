namespace Search.Model.Export;

/// <summary>GGUF metadata value types, with their numbers on the wire (gguf-py constants, GGUF v3).</summary>
internal enum GgufValueType : uint
{
    UInt8 = 0,
    Int8 = 1,
    UInt16 = 2,
    Int16 = 3,
    UInt32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    UInt64 = 10,
    Int64 = 11,
    Float64 = 12,
}

/// <summary>The ggml tensor types we write (ggml.h: GGML_TYPE_F32 = 0, GGML_TYPE_F16 = 1).</summary>
internal enum GgmlType : uint
{
    F32 = 0,
    F16 = 1,
}

/// <summary>Fixed numbers of the GGUF v3 container.</summary>
internal static class GgufFormat
{
    /// <summary>"GGUF" as a little-endian uint32.</summary>
    public const uint Magic = 0x46554747;
    public const uint Version = 3;
    /// <summary>Default <c>general.alignment</c>: tensor infos end and every tensor starts on a multiple of it.</summary>
    public const int Alignment = 32;

    public static long Pad(long offset) => (offset + Alignment - 1) / Alignment * Alignment;
}

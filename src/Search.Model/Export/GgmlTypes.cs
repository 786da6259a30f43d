namespace Search.Model.Export;

/// <summary>
/// ggml tensor type numbers (ggml.h <c>enum ggml_type</c>) and their names as llama.cpp prints them
/// (<c>ggml_type_name</c>: "f32", "q4_K", …), for reading back what a quantizer wrote.
/// </summary>
public static class GgmlTypes
{
    public const uint F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q8_1 = 9;
    public const uint Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, Q8_K = 15, IQ4_NL = 20, BF16 = 30;

    private static readonly Dictionary<uint, string> Names = new()
    {
        [F32] = "f32", [F16] = "f16", [Q4_0] = "q4_0", [Q4_1] = "q4_1", [Q5_0] = "q5_0", [Q5_1] = "q5_1",
        [Q8_0] = "q8_0", [Q8_1] = "q8_1", [Q2_K] = "q2_K", [Q3_K] = "q3_K", [Q4_K] = "q4_K", [Q5_K] = "q5_K",
        [Q6_K] = "q6_K", [Q8_K] = "q8_K", [16] = "iq2_xxs", [17] = "iq2_xs", [18] = "iq3_xxs", [19] = "iq1_s",
        [IQ4_NL] = "iq4_nl", [21] = "iq3_s", [22] = "iq2_s", [23] = "iq4_xs", [BF16] = "bf16",
    };

    public static string Name(uint type) => Names.TryGetValue(type, out var n) ? n : $"type{type}";
}

namespace Search.Model.Export;

/// <summary>
/// A llama.cpp quantization of a GGUF (its <c>llama_ftype</c>), done by llama.cpp's own quantizer
/// from our f32 export. llama.cpp quantizes each weight matrix row by row in blocks of
/// <see cref="RowMultiple"/> values (k-quants 256, q4_0/q8_0 32): a matrix whose row length — for a
/// pruned layer the <c>ffn_down</c> input width (its MLP channels) or the <c>attn_output</c> input
/// width (its query heads × head size) — is no multiple of it falls back to a bigger type
/// (<see cref="GgufQuantizationReport"/> reports which).
/// </summary>
/// <param name="Name">CLI spelling (lower case, as llama-quantize prints them).</param>
/// <param name="FileType">llama.cpp's <c>enum llama_ftype</c> value (general.file_type of the output).</param>
/// <param name="Family">ggml types llama.cpp's mixture for this ftype writes when every row fits (q4_k_m: q4_K, and
/// q6_K for the output matrix, attn_v and some ffn_down; q4_0: q6_K for the output matrix / tied embedding); any
/// other type on a weight matrix is a fallback.</param>
/// <param name="RowMultiple">Block length the family's main type needs the row length to be a multiple of.</param>
/// <param name="PerplexityTolerance">Largest relative perplexity difference to the f32 file on the same windows
/// that the export check accepts (README, "Quantized GGUF": measured values and margins).</param>
public sealed record GgufQuantization(string Name, uint FileType, IReadOnlyList<uint> Family, int RowMultiple, double PerplexityTolerance)
{
    public static readonly GgufQuantization Q8_0 = new("q8_0", 7, [GgmlTypes.Q8_0], 32, 0.01);
    public static readonly GgufQuantization Q6_K = new("q6_k", 18, [GgmlTypes.Q6_K], 256, 0.02);
    public static readonly GgufQuantization Q5_K_M = new("q5_k_m", 17, [GgmlTypes.Q5_K, GgmlTypes.Q6_K], 256, 0.05);
    public static readonly GgufQuantization Q4_K_M = new("q4_k_m", 15, [GgmlTypes.Q4_K, GgmlTypes.Q5_K, GgmlTypes.Q6_K], 256, 0.10);
    public static readonly GgufQuantization Q4_0 = new("q4_0", 2, [GgmlTypes.Q4_0, GgmlTypes.Q6_K], 32, 0.15);

    public static readonly IReadOnlyList<GgufQuantization> All = [Q8_0, Q6_K, Q5_K_M, Q4_K_M, Q4_0];

    public const string Names = "q8_0, q6_k, q5_k_m, q4_k_m or q4_0";

    /// <summary>The legacy block types (q8_0, q4_0) have no fallback in llama.cpp: a row that does not fit fails the whole quantization.</summary>
    public bool FailsOnOddRows => RowMultiple == 32;

    /// <summary>The family's main type, as llama.cpp names it (q4_K for q4_k_m).</summary>
    public string MainType => GgmlTypes.Name(Family[0]);

    public static GgufQuantization Parse(string value, string flag) =>
        All.FirstOrDefault(q => string.Equals(q.Name, value.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new UserInputException($"{flag}: unknown quantization '{value}' (expected {Names})");

    /// <summary>The quantization whose llama_ftype is <paramref name="fileType"/>, if it is one of ours.</summary>
    public static GgufQuantization? OfFileType(uint fileType) => All.FirstOrDefault(q => q.FileType == fileType);

    public override string ToString() => Name;
}

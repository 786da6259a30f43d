using static TorchSharp.torch;

namespace Search.Model.Export;

/// <summary>
/// Our q/k rows follow HF's rotate_half convention: within a head of size h, component j rotates
/// with component j + h/2. llama.cpp's LLaMA rope (LLAMA_ROPE_TYPE_NORM) rotates adjacent pairs
/// (2j, 2j+1). Reordering each head's rows so that new row 2j+k is old row k·h/2 + j makes both
/// compute the same q·k scores (llama.cpp's converter does the same; docs/toolchain.md 12).
/// </summary>
internal static class RotaryLayout
{
    /// <summary>Rows of a q or k projection weight [heads·h, d] (or bias [heads·h]) in llama.cpp's order.</summary>
    public static Tensor ToInterleaved(Tensor rows, int heads, int headDim)
    {
        if (rows.shape[0] != (long)heads * headDim)
            throw new ArgumentException($"expected {heads}×{headDim} rows, got {rows.shape[0]}");
        long[] rest = rows.shape[1..];
        // [heads, 2, h/2, …] → swap the pair and position axes → [heads, h/2, 2, …] → back to rows.
        return rows.reshape([heads, 2, headDim / 2, .. rest]).transpose(1, 2).reshape([(long)heads * headDim, .. rest]);
    }
}

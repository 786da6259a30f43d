namespace Search.Runtime.LlamaCpp;

/// <summary>
/// How llama.cpp runs attention. Measured on stories260K (f32 weights, 16 prompt tokens): with its
/// defaults, f16 KV cache and CPU flash attention (auto-enabled), max |Δlogit| against our forward
/// is 1.2e-2, and still 1.2e-2 with an f32 cache — the CPU flash-attention kernel itself rounds to
/// f16. With an f32 cache and flash attention off it is 1e-5.
/// </summary>
public enum LlamaCppPrecision
{
    /// <summary>f32 KV cache, flash attention off: the same arithmetic as our forward (parity checks).</summary>
    Exact,
    /// <summary>llama.cpp's defaults (f16 KV cache, flash attention auto): what a deployment gets (speed).</summary>
    Default,
}

namespace Search.Pruning.Metrics;

/// <summary>Per-input-channel importance of o_proj / down_proj (docs/methods.md §2; W is [out, in]).</summary>
public enum ImportanceMetric
{
    /// <summary>S_j = F_j (fluctuation only).</summary>
    Ifv,
    /// <summary>S_j = F_j · Σ_i W_ij² (FLAP default).</summary>
    Wifv,
    /// <summary>S_j = mean_i |W_ij| · √s_j.</summary>
    Wifn,
    /// <summary>Channel mean_i |W_ij| · √s_j; a head sums its channels; used without bias.</summary>
    WandaSp,
    /// <summary>‖W[:, j]‖₂; a head sums its channels; needs no data.</summary>
    MagnitudeSp,
}

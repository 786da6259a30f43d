namespace Search.Pruning.Surgery;

/// <summary>What replaces the output of pruned o_proj / down_proj input channels (docs/methods.md §4).</summary>
public enum Compensation
{
    /// <summary>Nothing: pruned channels act as if they were zero (Wanda-sp, magnitude-sp).</summary>
    None,
    /// <summary>FLAP: pruned channels act as if they sat at their calibration mean, b = W[:, P]·μ_P.</summary>
    FlapBias,
}

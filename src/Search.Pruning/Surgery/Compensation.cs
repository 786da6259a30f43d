namespace Search.Pruning.Surgery;

/// <summary>What replaces the output of pruned o_proj / down_proj input channels (docs/methods.md §4).</summary>
public enum Compensation
{
    /// <summary>Nothing: pruned channels act as if they were zero (Wanda-sp, magnitude-sp).</summary>
    None,
    /// <summary>FLAP: pruned channels act as if they sat at their calibration mean, b = W[:, P]·μ_P.</summary>
    FlapBias,
    /// <summary>
    /// Least squares: the kept columns and a bias refitted (ridge) so the pruned projection reproduces
    /// the dense one's output on calibration activations of the DENSE model (<see cref="Reconstruction.LeastSquaresFit"/>).
    /// </summary>
    LeastSquares,
    /// <summary>
    /// Least squares with error correction: each layer refitted on the inputs the already-refitted
    /// layers before it produce, to the dense layer's output (SlimGPT / Týr-style sequential reconstruction).
    /// </summary>
    LeastSquaresSequential,
}

public static class CompensationKinds
{
    /// <summary>True for the least-squares refits (they need calibration windows, not only statistics).</summary>
    public static bool Refits(this Compensation c) => c is Compensation.LeastSquares or Compensation.LeastSquaresSequential;
}

namespace Search.Training.Zoo;

/// <summary>
/// One corpus of a zoo model's training mixture: a catalog dataset and split, and its sampling weight
/// (a training window comes from this corpus with probability Weight / Σ weights).
/// </summary>
public sealed record ZooSource(string Dataset, string Split, double Weight);

namespace Search.Records;

/// <summary>Wall time of a trial's stages in seconds.</summary>
/// <param name="Reconstruction">Least-squares refit of the pruned layers on calibration windows (0 for other compensations).</param>
public sealed record TrialTimings(double Statistics, double Scoring, double Surgery, double Eval, double Reconstruction = 0)
{
    public double Total => Statistics + Scoring + Surgery + Eval + Reconstruction;
}

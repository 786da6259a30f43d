namespace Search.Records;

/// <summary>Wall time of a trial's stages in seconds.</summary>
public sealed record TrialTimings(double Statistics, double Scoring, double Surgery, double Eval)
{
    public double Total => Statistics + Scoring + Surgery + Eval;
}

using Search.Optimization.Trials;

namespace Search.Cli.Runner;

/// <summary>
/// User-attribute keys the pruning objective writes on every trial (values are JSON). Reports
/// read the store only, so everything a table needs is here.
/// </summary>
public static class TrialAttrs
{
    /// <summary><see cref="PlanSummary"/>: target/achieved ratio, parameter counts, kept widths per layer.</summary>
    public const string Plan = "plan";

    /// <summary><see cref="TrialTimings"/> in seconds.</summary>
    public const string Timings = "timings";

    /// <summary><see cref="FinalScores"/>: full search-split and test-split ppl, written for finalists after the search.</summary>
    public const string Final = UserAttrKeys.AnnotationPrefix + "final";

    /// <summary>The calibration/eval/model protocol, once per trial (dataset, seqlen, bos, model hash).</summary>
    public const string Protocol = "protocol";
}

public sealed record LayerWidthSummary(int Heads, int KvHeads, int Channels);

public sealed record PlanSummary(
    string Structure, double TargetRatio, double AchievedRatio, long PrunableParams, long RemovedParams,
    long TotalParamsBefore, long TotalParamsAfter, IReadOnlyList<LayerWidthSummary> Layers);

public sealed record TrialTimings(double Statistics, double Scoring, double Surgery, double Eval)
{
    public double Total => Statistics + Scoring + Surgery + Eval;
}

public sealed record FinalScores(
    double SearchPpl, string SearchSplit, long SearchTokens,
    double TestPpl, string TestSplit, long TestTokens, double Seconds);

public sealed record ProtocolSummary(string Model, string ModelHash, string Dataset, int SeqLen, string Bos, string DType);

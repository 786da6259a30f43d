using Search.Records;

namespace Search.Objective;

/// <summary>Everything one study run needs: what <c>search</c> parses and <c>reproduce</c> reads from an experiment file.</summary>
/// <param name="PoolSize">Calibration windows per pool; null takes the largest calibration_samples the space can ask for.</param>
/// <param name="FinalTokens">Token budget per split for final scores; null scores whole splits.</param>
/// <param name="Weights">mapped (memory-mapped checkpoint, layers converted on use) or resident.</param>
/// <param name="Db">A LiteDB file, or a postgresql:// URL for workers on several machines.</param>
/// <param name="Fitness">ppl (proxy perplexity) or kl (KL to the dense model on the proxy windows): what the sampler minimizes.</param>
/// <param name="Speed">search --speed: time finalists and baselines against the dense model after finalisation (null: not timed).</param>
/// <param name="WidthMultiple">search --width-multiple: searched configs and exact-budget twins keep a multiple of this many MLP channels per layer.</param>
/// <param name="Tasks">search --final-tasks: score baselines and finalists on multiple-choice tasks after finalisation (null: none).</param>
/// <param name="GraceSeconds">How long a worker may be silent before its running trial is taken over (null: 60 s).</param>
public sealed record StudyRunOptions(
    string Model,
    string SpacePath,
    string Study,
    string Db,
    int Trials,
    string Sampler,
    int Seed,
    double Ratio,
    string EvalDataset,
    int SeqLen,
    string Bos,
    int ProxyWindows,
    int Finalists,
    int? PoolSize,
    string? DataDir,
    string Device = "cpu",
    string Dtype = "float32",
    long? FinalTokens = StudyRunOptions.DefaultFinalTokens,
    string Weights = "mapped",
    double? GraceSeconds = null,
    string Fitness = ObjectiveSettings.PerplexityFitness,
    SpeedSettings? Speed = null,
    int WidthMultiple = 1,
    TaskSettings? Tasks = null)
{
    /// <summary>Final scoring budget per split unless told otherwise: 64K tokens (a 7B model on a GPU scores that in seconds).</summary>
    public const long DefaultFinalTokens = 65536;
}

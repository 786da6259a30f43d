namespace Search.Objective;

/// <summary>Everything one study run needs: what <c>search</c> parses and <c>reproduce</c> reads from an experiment file.</summary>
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
    int PoolSize,
    string? DataDir,
    string Device = "cpu",
    string Dtype = "float32");

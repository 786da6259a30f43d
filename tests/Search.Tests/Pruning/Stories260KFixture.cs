using Search.Model;
using Search.Model.Checkpoints;

namespace Search.Tests.Pruning;

/// <summary>
/// stories260K plus windows sampled from it (calibration and evaluation use different seeds), built
/// once per test run because sampling 128-token windows without a KV cache takes seconds.
/// </summary>
internal static class Stories260KFixture
{
    public const int SeqLen = 128;
    public const int CalibrationWindows = 64;
    public const int EvalWindows = 64;

    private static readonly Lazy<(Transformer Model, long[] Calibration, long[] Eval)> Loaded = new(() =>
    {
        var model = Checkpoint.Load(SharedAssets.Stories260K);
        var calibration = SampledWindows.Sample(model, CalibrationWindows, SeqLen, seed: 1234);
        var eval = SampledWindows.Sample(model, EvalWindows, SeqLen, seed: 5678);
        return (model, calibration, eval);
    });

    /// <summary>Shared by every test: never dispose it.</summary>
    public static Transformer Model => Loaded.Value.Model;
    public static long[] Calibration => Loaded.Value.Calibration;
    public static long[] Eval => Loaded.Value.Eval;
}

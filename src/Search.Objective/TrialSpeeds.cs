using Search.Model.Speed;
using Search.Records;

namespace Search.Objective;

/// <summary>Turns the speed library's measurements into the stored, torch-free <see cref="TrialSpeed"/> record.</summary>
public static class TrialSpeeds
{
    public static TrialSpeed From(SpeedComparison c, DateTime measuredUtc)
    {
        var m = c.TorchSharp.Machine;
        var p = c.TorchSharp.Protocol;
        var loads = new[] { c.TorchSharp, c.LlamaCpp }.OfType<SpeedMeasurement>().ToList();
        return new TrialSpeed(
            new SpeedProtocolSummary(p.PromptTokens, p.NewTokens, p.Warmup, p.Repeats, p.Seed),
            c.TorchSharp.Threads,
            new SpeedMachine(m.CpuModel, m.LogicalCores, m.CpuFlags, m.Os),
            Runtime(c.TorchSharp, c.TorchSharpReference),
            c.LlamaCpp is { } l ? Runtime(l, c.LlamaCppReference!) : null,
            Load(loads[0].LoadAverageBefore),
            Load(loads[^1].LoadAverageAfter),
            measuredUtc);
    }

    private static RuntimeSpeed Runtime(SpeedMeasurement model, SpeedMeasurement dense) =>
        new(model.Runtime, Of(model), Of(dense), model.FileBytes, dense.FileBytes);

    private static Throughput Of(SpeedMeasurement s) =>
        new(s.PrefillTokensPerSecond, s.DecodeTokensPerSecond, s.BestPrefillTokensPerSecond, s.BestDecodeTokensPerSecond);

    private static double? Load(double x) => double.IsFinite(x) ? x : null;
}

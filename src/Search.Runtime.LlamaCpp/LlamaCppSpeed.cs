using Search.Model.Speed;

namespace Search.Runtime.LlamaCpp;

/// <summary>The llama.cpp side of the speed benchmark: one call per GGUF file.</summary>
public static class LlamaCppSpeed
{
    /// <summary>Opens GGUFs for <see cref="SpeedMeter"/> with llama.cpp's defaults (what a deployment runs).</summary>
    public static GgufRunnerFactory Runners(LlamaCppPrecision precision = LlamaCppPrecision.Default) =>
        (path, capacity, threads) => new LlamaCppDecodeRunner(path, capacity, threads, precision);

    /// <summary>
    /// Prefill and decode tokens/s of <paramref name="ggufPath"/> under <paramref name="protocol"/>,
    /// with llama.cpp's defaults (what a deployment runs) unless <paramref name="precision"/> says otherwise.
    /// </summary>
    public static SpeedMeasurement Measure(string ggufPath, string modelName, SpeedProtocol protocol,
        LlamaCppPrecision precision = LlamaCppPrecision.Default)
    {
        protocol.Validate();
        using var runner = new LlamaCppDecodeRunner(ggufPath, protocol.PromptTokens + protocol.NewTokens, protocol.Threads, precision);
        return SpeedBenchmark.Measure([runner], modelName, runner.VocabSize, protocol)[0];
    }
}

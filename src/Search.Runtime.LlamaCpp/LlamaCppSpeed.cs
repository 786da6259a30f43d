using Search.Model.Export;
using Search.Model.Speed;

namespace Search.Runtime.LlamaCpp;

/// <summary>The llama.cpp side of the speed benchmark: one call per GGUF file.</summary>
public static class LlamaCppSpeed
{
    /// <summary>Opens GGUFs for <see cref="SpeedMeter"/> with llama.cpp's defaults (what a deployment runs).</summary>
    public static GgufRunnerFactory Runners(LlamaCppPrecision precision = LlamaCppPrecision.Default) =>
        (path, capacity, threads) => new LlamaCppDecodeRunner(path, capacity, threads, precision);

    /// <summary>
    /// Writes the GGUFs <see cref="SpeedMeter"/> times as <paramref name="weights"/> says: f32 or f16 by
    /// <see cref="GgufWriter"/>, or quantized by llama.cpp's quantizer from a temporary f32 file.
    /// </summary>
    public static GgufModelWriter Writer(GgufWeights weights, int threads) => (model, tokenizerDir, path) =>
    {
        if (weights.Quantization is not { } q)
        {
            GgufWriter.Write(model, tokenizerDir, path, weights.Type);
            return new FileInfo(path).Length;
        }
        return LlamaCppQuantizer.QuantizeFromF32(source => GgufWriter.Write(model, tokenizerDir, source, GgufFileType.F32), path, q, threads).FileBytes;
    };

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

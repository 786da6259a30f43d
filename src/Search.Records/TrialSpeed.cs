using System.Text.Json.Serialization;

namespace Search.Records;

/// <summary>
/// Measured prefill and decode speed of a finalist or baseline (<see cref="TrialAttrs.Speed"/>),
/// written by <c>search --speed</c>: batch 1, the protocol's fixed prompt and new-token counts,
/// warm-up runs, the median of timed repeats, on <see cref="Threads"/> threads of
/// <see cref="Machine"/>. Each runtime's figures come with the dense model's, measured interleaved
/// with the trial's in the same call, so the speedup of one record never mixes two load levels.
/// </summary>
/// <param name="LlamaCpp">Null when llama.cpp was not asked for (or its library did not load).</param>
/// <param name="LoadBefore">1-minute load average of the machine when the measurement started (null where unknown).</param>
public sealed record TrialSpeed(
    SpeedProtocolSummary Protocol,
    int Threads,
    SpeedMachine Machine,
    RuntimeSpeed TorchSharp,
    RuntimeSpeed? LlamaCpp,
    double? LoadBefore,
    double? LoadAfter,
    DateTime MeasuredUtc);

/// <summary>Batch-1 greedy generation: prompt tokens (prefill), new tokens (decode), untimed warm-ups, timed repeats, prompt seed.</summary>
public sealed record SpeedProtocolSummary(int PromptTokens, int NewTokens, int Warmup, int Repeats, int Seed);

/// <summary>Where it ran: CPU model, logical cores, the SIMD flags that pick kernels, OS.</summary>
public sealed record SpeedMachine(string Cpu, int LogicalCores, string CpuFlags, string Os);

/// <summary>One runtime's figures for the trial's model and the dense model, with the speedups.</summary>
/// <param name="ModelBytes">Size on disk of the file the runtime ran for the trial (llama.cpp: its GGUF at the
/// measured weight type); null for TorchSharp and for records written before sizes were stored.</param>
/// <param name="DenseBytes">The same for the dense model.</param>
public sealed record RuntimeSpeed(string Runtime, Throughput Model, Throughput Dense,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? ModelBytes = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? DenseBytes = null)
{
    /// <summary>Median decode tokens/s of the model over the dense model's.</summary>
    public double DecodeSpeedup => Model.DecodeTokensPerSecond / Dense.DecodeTokensPerSecond;

    /// <summary>Median prefill tokens/s of the model over the dense model's.</summary>
    public double PrefillSpeedup => Model.PrefillTokensPerSecond / Dense.PrefillTokensPerSecond;
}

/// <summary>Tokens/s from the median timed run and from the fastest (least disturbed) one.</summary>
public sealed record Throughput(double PrefillTokensPerSecond, double DecodeTokensPerSecond,
    double BestPrefillTokensPerSecond, double BestDecodeTokensPerSecond);

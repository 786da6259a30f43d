namespace Search.Model.Speed;

/// <summary>
/// Prefill and decode throughput of one model in one runtime, with everything needed to read it:
/// the protocol, threads, machine, load on the machine, every timed run, and the greedy tokens the
/// first timed run produced (equal across runtimes when they compute the same function).
/// </summary>
/// <param name="PrefillTokensPerSecond">Prompt tokens / median prefill seconds.</param>
/// <param name="DecodeTokensPerSecond">New tokens / median seconds of the decode steps.</param>
/// <param name="BestPrefillTokensPerSecond">Prompt tokens / fastest prefill: on cores shared with other
/// processes the fastest run is the one least disturbed, the median the typical one.</param>
/// <param name="BestDecodeTokensPerSecond">New tokens / fastest decode.</param>
/// <param name="LoadAverageBefore">1-minute load average when the measurement started.</param>
/// <param name="FileBytes">Size on disk of the file the runtime ran (the GGUF for llama.cpp); null for TorchSharp.</param>
public sealed record SpeedMeasurement(
    string Model,
    string Runtime,
    SpeedProtocol Protocol,
    int Threads,
    MachineInfo Machine,
    double PrefillTokensPerSecond,
    double DecodeTokensPerSecond,
    double BestPrefillTokensPerSecond,
    double BestDecodeTokensPerSecond,
    IReadOnlyList<double> PrefillSeconds,
    IReadOnlyList<double> DecodeSeconds,
    IReadOnlyList<long> GeneratedTokens,
    double LoadAverageBefore,
    double LoadAverageAfter,
    long? FileBytes = null);

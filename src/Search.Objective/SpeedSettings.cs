using Search.Model.Speed;

namespace Search.Objective;

/// <summary>
/// <c>search --speed</c>: after finalisation, the finalists and baselines are timed against the
/// dense model (<see cref="SpeedMeter"/>) and each gets a <see cref="Records.TrialSpeed"/>.
/// </summary>
/// <param name="LlamaCpp">Opens GGUFs in llama.cpp; null measures TorchSharp only.</param>
/// <param name="GgufWriter">Writes the GGUFs llama.cpp is timed on (f16 or a quantization); null writes f32.</param>
public sealed record SpeedSettings(SpeedProtocol Protocol, GgufRunnerFactory? LlamaCpp = null, GgufModelWriter? GgufWriter = null);

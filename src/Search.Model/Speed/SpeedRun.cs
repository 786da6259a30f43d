namespace Search.Model.Speed;

/// <summary>One timed generation: prefill seconds, seconds of all decode steps, the greedy tokens produced.</summary>
public sealed record SpeedRun(double PrefillSeconds, double DecodeSeconds, IReadOnlyList<long> Tokens);

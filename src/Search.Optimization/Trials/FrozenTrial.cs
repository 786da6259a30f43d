namespace Search.Optimization.Trials;

/// <summary>
/// Immutable snapshot of a trial as the storage holds it. Samplers read only these, so anything a
/// sampler needs to survive a restart must be in here (params, user attrs), never in sampler fields.
/// </summary>
/// <param name="Number">0-based, dense, unique within the study.</param>
/// <param name="Value">Objective value (minimized); null unless Complete (or Pruned with a last value).</param>
/// <param name="Scores">Every measurement with its fidelity.</param>
/// <param name="UserAttrs">Applied plan, parameter counts, timings (as JSON text) and library bookkeeping (<see cref="UserAttrKeys"/>).</param>
/// <param name="Error">Why a Failed trial failed.</param>
/// <param name="Seed">Per-trial seed derived from the study seed and the number, for the objective's own randomness.</param>
/// <param name="Worker">Identity of the process that runs (or ran) the trial, to tell stale Running trials from live ones.</param>
/// <param name="HeartbeatUtc">When that worker last said it is still running the trial (null: never, e.g. a store written
/// before heartbeats; then <see cref="StartUtc"/> is its last sign of life). Only a Running trial's heartbeat changes.</param>
public sealed record FrozenTrial(
    int Number,
    TrialState State,
    IReadOnlyDictionary<string, ParamValue> Params,
    double? Value,
    IReadOnlyList<TrialScore> Scores,
    IReadOnlyDictionary<string, string> UserAttrs,
    string? Error,
    DateTime StartUtc,
    DateTime? EndUtc,
    int Seed,
    string Worker,
    int SchemaVersion = FrozenTrial.CurrentSchemaVersion,
    DateTime? HeartbeatUtc = null)
{
    public const int CurrentSchemaVersion = 1;

    public string? UserAttr(string key) => UserAttrs.TryGetValue(key, out var value) ? value : null;

    /// <summary>Last sign of life of the worker running this trial.</summary>
    public DateTime LastSignOfLifeUtc => HeartbeatUtc ?? StartUtc;

    public long? FidelityTokens => long.TryParse(UserAttr(UserAttrKeys.FidelityTokens), out var tokens) ? tokens : null;
}

using Search.Optimization.Spaces;
using Search.Optimization.Trials;

namespace Search.Optimization.Samplers;

internal enum ObservationKind
{
    /// <summary>A finished trial with a finite value.</summary>
    Complete,

    /// <summary>A failed trial, fitted at the worst Complete value (over-pruned regions must not look unexplored).</summary>
    Failed,

    /// <summary>A Running trial (another worker's): conditions the GP at a constant lie, never fits its hyperparameters.</summary>
    Pending,
}

/// <summary>One point the GP conditions on: params, their [0,1] encoding, the (raw) value and what kind of point it is.</summary>
internal sealed record GpObservation(IReadOnlyDictionary<string, ParamValue> Params, double[] Encoded, double Value, ObservationKind Kind, int Number)
{
    /// <summary>
    /// The trials of <paramref name="history"/> the GP can use, in trial order: Complete (finite value),
    /// Failed (at the worst Complete value), and — when <paramref name="pending"/> — Running ones.
    /// Pruned trials are left out (cheaper fidelity), and so is every trial whose params lie outside
    /// <paramref name="space"/>, including a fixed dimension overridden by a baseline (wanda-sp's
    /// compensation "none" in a space that fixes "bias" is not a point of that space).
    /// </summary>
    public static List<GpObservation> FromHistory(SearchSpace space, IEnumerable<FrozenTrial> history, bool pending)
    {
        var complete = new List<GpObservation>();
        var others = new List<(IReadOnlyDictionary<string, ParamValue> Params, double[] Encoded, ObservationKind Kind, int Number)>();
        foreach (var trial in history.OrderBy(t => t.Number))
        {
            var encoded = Encode(space, trial.Params);
            if (encoded is null) continue;
            if (trial.State == TrialState.Complete && trial.Value is { } value && double.IsFinite(value))
                complete.Add(new GpObservation(trial.Params, encoded, value, ObservationKind.Complete, trial.Number));
            else if (trial.State == TrialState.Failed)
                others.Add((trial.Params, encoded, ObservationKind.Failed, trial.Number));
            else if (pending && trial.State == TrialState.Running)
                others.Add((trial.Params, encoded, ObservationKind.Pending, trial.Number));
        }
        if (complete.Count == 0) return complete;
        var worst = complete.Max(o => o.Value);
        return [.. complete, .. others.Select(o => new GpObservation(o.Params, o.Encoded, worst, o.Kind, o.Number))];
    }

    /// <summary>The GP input of a param set, or null when it is not a point of the space (see <see cref="FromHistory"/>).</summary>
    public static double[]? Encode(SearchSpace space, IReadOnlyDictionary<string, ParamValue> parameters)
    {
        foreach (var fixedDimension in space.Dimensions.OfType<FixedDimension>())
            if (parameters.TryGetValue(fixedDimension.Name, out var value) && !value.Equals(fixedDimension.Value))
                return null;
        return space.TryEncode(parameters);
    }
}

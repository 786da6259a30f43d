using Search.Optimization.Trials;

namespace Search.Optimization.Spaces;

/// <summary>
/// A pruning ratio per layer for one module type (attention or MLP), on a grid of levels
/// min, min+step, …, max, with the budget constraint mean(ratio) == target. Values are vectors of
/// ratios; internally a genome of level indices whose sum is fixed (L · targetLevel), so every
/// sampler keeps the budget by construction: sampling and perturbing only move one layer down a
/// level while another moves up. The layer count comes from the model when a study is created.
/// </summary>
public sealed class LayerRatiosDimension : Dimension
{
    public LayerRatiosDimension(string name, string module, double min, double max, double step, double target, int? layerCount = null)
        : base(name)
    {
        Module = module;
        Min = min;
        Max = max;
        Step = step;
        Target = target;
        LayerCount = layerCount;
        MaxLevel = (int)Math.Round((max - min) / step);
        TargetLevel = (int)Math.Round((target - min) / step);
    }

    /// <summary>Module type the ratios apply to ("attention" or "mlp"); the evolutionary sampler mutates within one type.</summary>
    public string Module { get; }
    public double Min { get; }
    public double Max { get; }
    public double Step { get; }
    public double Target { get; }
    public int? LayerCount { get; }
    public int MaxLevel { get; }
    public int TargetLevel { get; }

    public int Layers => LayerCount ?? throw new InvalidOperationException(
        $"layer_ratios dimension '{Name}' is not bound to a model; call SearchSpace.BindLayerCount first");

    public override int EncodedWidth => Layers;

    public override ParamValue? DefaultForBaselines => LayerCount is null ? null : FromLevels(Enumerable.Repeat(TargetLevel, Layers).ToArray());

    public override Dimension BindLayerCount(int layerCount) =>
        new LayerRatiosDimension(Name, Module, Min, Max, Step, Target, layerCount);

    /// <summary>
    /// The same grid re-targeted to a global ratio, snapped to the nearest level: the level grid is
    /// the search's resolution (a 4-group layer moves in quarters), and the objective's budget repair
    /// makes the parameter count exact.
    /// </summary>
    public LayerRatiosDimension WithTarget(double target)
    {
        int level = (int)Math.Round((target - Min) / Step);
        if (level < 0 || level > MaxLevel)
            throw new OptimizationInputException(
                $"'{Name}': ratio {target} is outside the grid {Min}..{Max}");
        return new LayerRatiosDimension(Name, Module, Min, Max, Step, RatioOfLevel(level), LayerCount);
    }

    public double RatioOfLevel(int level) => Math.Round(Min + level * Step, 10);

    public ParamValue FromLevels(IReadOnlyList<int> levels) => ParamValue.Of(levels.Select(RatioOfLevel).ToArray());

    /// <summary>Null when the vector is off the grid or has the wrong length.</summary>
    public int[]? ToLevels(ParamValue value)
    {
        if (value.Kind != ParamValueKind.Vector || value.AsVector.Count != Layers) return null;
        var levels = new int[Layers];
        for (var i = 0; i < levels.Length; i++)
        {
            var exact = (value.AsVector[i] - Min) / Step;
            levels[i] = (int)Math.Round(exact);
            if (Math.Abs(exact - levels[i]) > 1e-6 || levels[i] < 0 || levels[i] > MaxLevel) return null;
        }
        return levels;
    }

    public bool MeetsBudget(IReadOnlyList<int> levels) => levels.Sum() == TargetLevel * levels.Count;

    /// <summary>
    /// The grid levels nearest to per-layer removal fractions (e.g. what FLAP's global allocation
    /// achieved) that meet the budget: the L2-nearest integer levels in [0, MaxLevel] summing to
    /// L · TargetLevel (round, then move single levels where the rounding error is largest, which is
    /// the same as rounding after a common shift). Null when the length is not the layer count or a
    /// fraction is not finite.
    /// </summary>
    public int[]? SnapToBudget(IReadOnlyList<double> fractions)
    {
        if (fractions.Count != Layers || fractions.Any(f => !double.IsFinite(f))) return null;
        var exact = fractions.Select(f => Math.Clamp((f - Min) / Step, 0.0, MaxLevel)).ToArray();
        var levels = exact.Select(x => (int)Math.Clamp(Math.Round(x, MidpointRounding.AwayFromZero), 0, MaxLevel)).ToArray();
        var excess = levels.Sum() - TargetLevel * levels.Length;
        while (excess != 0)
        {
            // Lower the level that sits furthest above its exact value (or raise the one furthest below); ties: lowest layer.
            var pick = -1;
            for (var i = 0; i < levels.Length; i++)
            {
                if (excess > 0 ? levels[i] == 0 : levels[i] == MaxLevel) continue;
                var error = excess > 0 ? levels[i] - exact[i] : exact[i] - levels[i];
                var best = pick < 0 ? double.NegativeInfinity : excess > 0 ? levels[pick] - exact[pick] : exact[pick] - levels[pick];
                if (error > best + 1e-12) pick = i;
            }
            levels[pick] += excess > 0 ? -1 : 1;
            excess += excess > 0 ? -1 : 1;
        }
        return levels;
    }

    /// <summary>A random feasible genome: a budget-preserving random walk of 4·L moves from the uniform start.</summary>
    public override ParamValue Sample(Random rng)
    {
        var levels = Enumerable.Repeat(TargetLevel, Layers).ToArray();
        for (var move = 0; move < 4 * Layers; move++) TryShiftOneLevel(levels, rng);
        return FromLevels(levels);
    }

    public override bool TryEncode(ParamValue value, Span<double> into)
    {
        var levels = ToLevels(value);
        if (levels is null) return false;
        for (var i = 0; i < levels.Length; i++) into[i] = MaxLevel == 0 ? 0.5 : (double)levels[i] / MaxLevel;
        return true;
    }

    public override ParamValue Perturb(ParamValue value, Random rng, double scale)
    {
        var levels = ToLevels(value) ?? throw new ArgumentException($"'{Name}' value is not on the level grid", nameof(value));
        var moves = Math.Max(1, (int)Math.Round(scale * Layers));
        for (var move = 0; move < moves; move++) TryShiftOneLevel(levels, rng);
        return FromLevels(levels);
    }

    /// <summary>Moves one random layer down a level and another up one if both stay in range; the sum is unchanged.</summary>
    public bool TryShiftOneLevel(int[] levels, Random rng)
    {
        if (levels.Length < 2) return false;
        var down = rng.Next(levels.Length);
        var up = rng.Next(levels.Length - 1);
        if (up >= down) up++;
        if (levels[down] == 0 || levels[up] == MaxLevel) return false;
        levels[down]--;
        levels[up]++;
        return true;
    }
}

using Search.Model;
using Search.Pruning.Pruning.Metrics;

namespace Search.Pruning.Pruning.Allocation;

/// <summary>
/// How a run decides what each layer loses: a structure with one global ratio, or explicit
/// per-layer ratios (<see cref="LayerRatios"/> set, <see cref="Structure"/> null).
/// </summary>
public sealed record AllocationSpec(PruningStructure? Structure, double Ratio, LayerRatios? LayerRatios)
{
    /// <summary>The CLI spelling of the explicit per-layer choice.</summary>
    public const string PerLayerName = "per-layer";

    public static AllocationSpec ForStructure(PruningStructure structure, double ratio)
    {
        if (!(ratio >= 0 && ratio < 1)) throw new UserInputException($"pruning ratio must be in [0, 1) (got {ratio})");
        return new AllocationSpec(structure, ratio, null);
    }

    public static AllocationSpec ForLayerRatios(LayerRatios ratios) => new(null, double.NaN, ratios);

    public string Name => Structure is { } s ? PruningStructureNames.Name(s) : PerLayerName;

    /// <summary>Throws before any expensive work when the spec cannot apply to <paramref name="model"/>.</summary>
    public void EnsureFits(Transformer model)
    {
        if (LayerRatios is { } r && (r.Attention.Count != model.Layers.Count || r.Mlp.Count != model.Layers.Count))
            throw new UserInputException(
                $"layer ratios: the model has {model.Layers.Count} layers, got {r.Attention.Count} attention and {r.Mlp.Count} MLP ratios");
    }

    public PruningPlan Plan(Transformer model, IReadOnlyList<LayerUnitScores> scores) =>
        Structure is { } s
            ? Allocator.Allocate(model, scores, s, Ratio)
            : Allocator.AllocateLayerRatios(model, scores, LayerRatios!);
}

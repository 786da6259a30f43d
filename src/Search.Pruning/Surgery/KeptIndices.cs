using Search.Model;
using Search.Pruning.Allocation;
using static TorchSharp.torch;

namespace Search.Pruning.Surgery;

/// <summary>
/// A layer plan's kept indices along each pruned axis (<see cref="UnitAxis"/>), as int64 index
/// tensors on the weights' device: what index_select (surgery) and masks (the reference) need.
/// </summary>
internal sealed record KeptIndices(int[] QueryChannels, int[] KvChannels, int[] MlpChannels, bool Attention, bool Mlp, Device Device)
{
    private readonly Dictionary<UnitAxis, Tensor> indexTensors = new();

    public static KeptIndices Of(LayerPlan lp, int headDim, Device device) =>
        new(lp.KeptAttentionChannels(headDim), lp.KeptKvRows(headDim), lp.KeptChannels,
            lp.KeptKvGroups.Length > 0, lp.KeptChannels.Length > 0, device);

    /// <summary>False when the block <paramref name="kind"/> belongs to keeps no unit (its tensors are dropped).</summary>
    public bool Keeps(LayerTensor kind) => LayerTensors.PrunedAxis(kind).Axis switch
    {
        UnitAxis.QueryChannels or UnitAxis.KvChannels => Attention,
        UnitAxis.MlpChannels => Mlp,
        _ => true,
    };

    /// <summary>The kept positions along <paramref name="kind"/>'s pruned axis.</summary>
    public int[] Positions(LayerTensor kind) => LayerTensors.PrunedAxis(kind).Axis switch
    {
        UnitAxis.QueryChannels => QueryChannels,
        UnitAxis.KvChannels => KvChannels,
        UnitAxis.MlpChannels => MlpChannels,
        _ => throw new ArgumentException($"{kind} is not pruned along an axis"),
    };

    /// <summary>The kept positions along <paramref name="kind"/>'s pruned axis: int64 [kept] on the device.</summary>
    public Tensor For(LayerTensor kind)
    {
        var axis = LayerTensors.PrunedAxis(kind).Axis;
        if (!indexTensors.TryGetValue(axis, out var index))
            indexTensors[axis] = index = tensor(Positions(kind).Select(i => (long)i).ToArray(), ScalarType.Int64).to(Device);
        return index;
    }
}

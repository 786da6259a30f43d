using Search.Model;

namespace Search.Pruning.Allocation;

/// <summary>
/// Exact parameter cost of removing one unit of a layer, read from the tensor shapes (never from
/// constants). A KV group of g query heads of size h in a d-wide model costs q rows g·h·d + k,v rows
/// 2·h·d + o columns d·g·h = h·d·(2g+2), plus its q/k/v bias entries; an MLP channel costs
/// gate + up rows and a down column = 3·d, plus its gate/up bias entries. o/down biases belong to no
/// unit and are not prunable.
/// </summary>
/// <param name="QueryHeadCost">One query head inside a group: its q rows, q bias entries and o columns (2·h·d + h).</param>
public sealed record LayerUnitCosts(int KvGroups, long KvGroupCost, int Channels, long ChannelCost, long QueryHeadCost = 0)
{
    public long AttentionTotal => KvGroups * KvGroupCost;
    public long MlpTotal => Channels * ChannelCost;

    public static LayerUnitCosts Of(DecoderLayerWeights layer)
    {
        var w = layer.Widths;
        long groupCost = 0, channelCost = 0;
        if (w.NumKvHeads > 0)
        {
            long g = w.NumKvHeads;
            long PerGroup(TorchSharp.torch.Tensor? t) => t is null ? 0 : t.numel() / g;
            groupCost = PerGroup(layer.QProj) + PerGroup(layer.KProj) + PerGroup(layer.VProj) + PerGroup(layer.OProj)
                        + PerGroup(layer.QBias) + PerGroup(layer.KBias) + PerGroup(layer.VBias);
        }
        if (w.IntermediateSize > 0)
        {
            long i = w.IntermediateSize;
            long PerChannel(TorchSharp.torch.Tensor? t) => t is null ? 0 : t.numel() / i;
            channelCost = PerChannel(layer.GateProj) + PerChannel(layer.UpProj) + PerChannel(layer.DownProj)
                          + PerChannel(layer.GateBias) + PerChannel(layer.UpBias);
        }
        long headCost = 0;
        if (w.NumHeads > 0)
        {
            long h = w.NumHeads;
            long PerHead(TorchSharp.torch.Tensor? t) => t is null ? 0 : t.numel() / h;
            headCost = PerHead(layer.QProj) + PerHead(layer.OProj) + PerHead(layer.QBias);
        }
        return new LayerUnitCosts(w.NumKvHeads, groupCost, w.IntermediateSize, channelCost, headCost);
    }
}

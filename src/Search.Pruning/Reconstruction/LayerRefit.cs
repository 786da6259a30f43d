using static TorchSharp.torch;

namespace Search.Pruning.Reconstruction;

/// <summary>
/// The refitted output projections of one pruned layer, in the checkpoint's stored dtype: o_proj
/// [d, kept heads·h] and down_proj [d, kept channels] (null when the block keeps nothing) with
/// their biases [d] (always present: a removed block keeps the mean of its dense output).
/// </summary>
public sealed record LayerRefit(Tensor? OProj, Tensor OBias, Tensor? DownProj, Tensor DownBias) : IDisposable
{
    public void Dispose()
    {
        OProj?.Dispose();
        OBias.Dispose();
        DownProj?.Dispose();
        DownBias.Dispose();
    }
}

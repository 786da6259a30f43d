using Search.Model;
using static TorchSharp.torch;

namespace Search.Pruning.Statistics;

/// <summary>
/// Adds each window's Σx and Σx² of every o_proj / down_proj input to the layer's prefix sums while
/// the dense model runs a batch of windows [firstWindow, firstWindow + B). Only [B, C] sums leave
/// the device; activations are never kept.
/// </summary>
internal sealed class PrefixSumObserver(IReadOnlyList<LayerPrefixSums> layers) : IActivationObserver
{
    private int firstWindow;

    public void BeginBatch(int firstWindow) => this.firstWindow = firstWindow;

    public void OnOProjInput(int layer, Tensor x) => Accumulate(layers[layer].Attention, x);

    public void OnDownProjInput(int layer, Tensor x) => Accumulate(layers[layer].Mlp, x);

    private void Accumulate(SitePrefixSums site, Tensor x)
    {
        using var scope = NewDisposeScope();
        long batch = x.shape[0], tokens = x.shape[1], channels = x.shape[2];
        if (channels != site.Channels)
            throw new InvalidOperationException($"activation has {channels} channels, statistics expect {site.Channels}");
        // float64 before summing: thousands of tokens of float32 activations lose digits otherwise.
        var x64 = x.to_type(ScalarType.Float64);                                          // [B, T, C]
        var sum = x64.sum(dim: 1).cpu().contiguous().data<double>().ToArray();             // [B·C]
        var sumSq = x64.square().sum(dim: 1).cpu().contiguous().data<double>().ToArray();  // [B·C]
        for (int b = 0; b < batch; b++)
            site.Add(firstWindow + b, sum.AsSpan(b * (int)channels, (int)channels), sumSq.AsSpan(b * (int)channels, (int)channels), tokens);
    }
}

using Search.Model;
using static TorchSharp.torch;

namespace Search.Pruning.Statistics;

/// <summary>
/// Writes per-window Σx and Σx² of every o_proj / down_proj input into <see cref="LayerWindowSums"/>
/// while the dense model runs a batch of windows [firstWindow, firstWindow + B).
/// </summary>
internal sealed class WindowSumObserver(IReadOnlyList<LayerWindowSums> layers) : IActivationObserver
{
    /// <summary>Pool index of the batch's first window; set by the caller before each forward.</summary>
    public int FirstWindow { get; set; }

    public void OnOProjInput(int layer, Tensor x) => Accumulate(layers[layer].Attention, x);

    public void OnDownProjInput(int layer, Tensor x) => Accumulate(layers[layer].Mlp, x);

    private void Accumulate(SiteWindowSums site, Tensor x)
    {
        using var scope = NewDisposeScope();
        long batch = x.shape[0], tokens = x.shape[1], channels = x.shape[2];
        if (channels != site.Channels)
            throw new InvalidOperationException($"activation has {channels} channels, statistics expect {site.Channels}");
        // float64 before summing: thousands of tokens of float32 activations lose digits otherwise.
        var x64 = x.to_type(ScalarType.Float64);                                 // [B, T, C]
        var sum = x64.sum(dim: 1).cpu().contiguous().data<double>().ToArray();    // [B·C]
        var sumSq = x64.square().sum(dim: 1).cpu().contiguous().data<double>().ToArray(); // [B·C]
        int offset = FirstWindow * site.Channels;
        Array.Copy(sum, 0, site.Sum, offset, sum.Length);
        Array.Copy(sumSq, 0, site.SumOfSquares, offset, sumSq.Length);
        for (int b = 0; b < batch; b++) site.Tokens[FirstWindow + b] = tokens;
    }
}

using static TorchSharp.torch;

namespace Search.Model;

/// <summary>
/// The tensors of one decoder layer, in HF layout (<c>nn.Linear.weight</c> is [out, in]).
/// Attention tensors are null when the layer keeps no heads, MLP tensors when it keeps no channels;
/// o/down biases may still exist then (FLAP compensation of a fully removed block is a constant).
/// Built with <see cref="Create"/> from one function of <see cref="LayerTensor"/>, so loaders,
/// initializers and surgery share one list of what a layer holds.
/// </summary>
public sealed class DecoderLayerWeights : IDisposable
{
    private readonly Tensor?[] tensors;

    private DecoderLayerWeights(LayerWidths widths, Tensor?[] tensors)
    {
        Widths = widths;
        this.tensors = tensors;
    }

    /// <summary>
    /// A layer of <paramref name="widths"/> whose tensors are <paramref name="make"/>(kind), asked in
    /// <see cref="LayerTensor"/> order. Norms are required; the rest may be null.
    /// </summary>
    public static DecoderLayerWeights Create(LayerWidths widths, Func<LayerTensor, Tensor?> make)
    {
        var tensors = new Tensor?[LayerTensors.All.Length];
        try
        {
            foreach (var kind in LayerTensors.All) tensors[(int)kind] = make(kind);
            if (tensors[(int)LayerTensor.InputNorm] is null || tensors[(int)LayerTensor.PostAttentionNorm] is null)
                throw new ArgumentException("a decoder layer needs both RMSNorm weights");
            return new DecoderLayerWeights(widths, tensors);
        }
        catch
        {
            foreach (var t in tensors) t?.Dispose();
            throw;
        }
    }

    /// <summary>A layer of the same widths with every tensor replaced by <paramref name="map"/>(kind, tensor).</summary>
    public DecoderLayerWeights Map(Func<LayerTensor, Tensor, Tensor> map) =>
        Create(Widths, k => this[k] is { } t ? map(k, t) : null);

    /// <summary>A layer whose tensors are aliases of these (same storage; disposing it drops only the handles).</summary>
    public DecoderLayerWeights Alias() => Map((_, t) => t.alias());

    public LayerWidths Widths { get; }

    public Tensor? this[LayerTensor kind] => tensors[(int)kind];

    public Tensor InputNorm => tensors[(int)LayerTensor.InputNorm]!;          // [d]
    public Tensor PostAttentionNorm => tensors[(int)LayerTensor.PostAttentionNorm]!; // [d]
    public Tensor? QProj => this[LayerTensor.QProj];       // [H·h, d]
    public Tensor? KProj => this[LayerTensor.KProj];       // [G·h, d]
    public Tensor? VProj => this[LayerTensor.VProj];       // [G·h, d]
    public Tensor? OProj => this[LayerTensor.OProj];       // [d, H·h]
    public Tensor? QBias => this[LayerTensor.QBias];       // [H·h]
    public Tensor? KBias => this[LayerTensor.KBias];       // [G·h]
    public Tensor? VBias => this[LayerTensor.VBias];       // [G·h]
    public Tensor? OBias => this[LayerTensor.OBias];       // [d]
    public Tensor? GateProj => this[LayerTensor.GateProj]; // [I, d]
    public Tensor? UpProj => this[LayerTensor.UpProj];     // [I, d]
    public Tensor? DownProj => this[LayerTensor.DownProj]; // [d, I]
    public Tensor? GateBias => this[LayerTensor.GateBias]; // [I]
    public Tensor? UpBias => this[LayerTensor.UpBias];     // [I]
    public Tensor? DownBias => this[LayerTensor.DownBias]; // [d]

    /// <summary>All tensors by their HF name suffix (after <c>model.layers.{i}.</c>), in HF order.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> Named()
    {
        foreach (var kind in LayerTensors.SaveOrder)
            if (this[kind] is { } t) yield return new(LayerTensors.HfName(kind), t);
    }

    public void Dispose()
    {
        foreach (var t in tensors) t?.Dispose();
    }
}

using static TorchSharp.torch;

namespace Search.Model;

/// <summary>
/// The tensors of one decoder layer, in HF layout (<c>nn.Linear.weight</c> is [out, in]).
/// Attention tensors are null when the layer keeps no heads, MLP tensors when it keeps no channels;
/// o/down biases may still exist then (FLAP compensation of a fully removed block is a constant).
/// </summary>
public sealed class DecoderLayerWeights : IDisposable
{
    public required LayerWidths Widths { get; init; }
    public required Tensor InputNorm { get; init; }          // [d]
    public required Tensor PostAttentionNorm { get; init; }  // [d]
    public Tensor? QProj { get; init; }     // [H·h, d]
    public Tensor? KProj { get; init; }     // [G·h, d]
    public Tensor? VProj { get; init; }     // [G·h, d]
    public Tensor? OProj { get; init; }     // [d, H·h]
    public Tensor? QBias { get; init; }     // [H·h]
    public Tensor? KBias { get; init; }     // [G·h]
    public Tensor? VBias { get; init; }     // [G·h]
    public Tensor? OBias { get; init; }     // [d]
    public Tensor? GateProj { get; init; }  // [I, d]
    public Tensor? UpProj { get; init; }    // [I, d]
    public Tensor? DownProj { get; init; }  // [d, I]
    public Tensor? GateBias { get; init; }  // [I]
    public Tensor? UpBias { get; init; }    // [I]
    public Tensor? DownBias { get; init; }  // [d]

    /// <summary>All tensors by their HF name suffix (after <c>model.layers.{i}.</c>).</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> Named()
    {
        var items = new (string, Tensor?)[]
        {
            ("input_layernorm.weight", InputNorm),
            ("self_attn.q_proj.weight", QProj), ("self_attn.q_proj.bias", QBias),
            ("self_attn.k_proj.weight", KProj), ("self_attn.k_proj.bias", KBias),
            ("self_attn.v_proj.weight", VProj), ("self_attn.v_proj.bias", VBias),
            ("self_attn.o_proj.weight", OProj), ("self_attn.o_proj.bias", OBias),
            ("post_attention_layernorm.weight", PostAttentionNorm),
            ("mlp.gate_proj.weight", GateProj), ("mlp.gate_proj.bias", GateBias),
            ("mlp.up_proj.weight", UpProj), ("mlp.up_proj.bias", UpBias),
            ("mlp.down_proj.weight", DownProj), ("mlp.down_proj.bias", DownBias),
        };
        foreach (var (name, t) in items)
            if (t is not null) yield return new(name, t);
    }

    public void Dispose()
    {
        foreach (var (_, t) in Named()) t.Dispose();
    }
}

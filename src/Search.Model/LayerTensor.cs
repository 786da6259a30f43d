namespace Search.Model;

/// <summary>
/// The tensors a decoder layer may hold. The order is the order random initializers draw them in
/// (changing it changes every seeded random model); <see cref="LayerTensors.SaveOrder"/> is the HF order.
/// </summary>
public enum LayerTensor
{
    InputNorm,
    PostAttentionNorm,
    QProj,
    KProj,
    VProj,
    OProj,
    QBias,
    KBias,
    VBias,
    OBias,
    GateProj,
    UpProj,
    DownProj,
    GateBias,
    UpBias,
    DownBias,
}

/// <summary>Which pruning unit indexes a tensor axis (see <see cref="LayerTensors.PrunedAxis"/>).</summary>
public enum UnitAxis
{
    /// <summary>Not pruned (norms), or replaced as a whole (o/down biases carry compensation).</summary>
    None,
    /// <summary>q_proj rows / o_proj columns: one slice of head_dim per kept query head.</summary>
    QueryChannels,
    /// <summary>k_proj / v_proj rows: one slice of head_dim per kept KV head.</summary>
    KvChannels,
    /// <summary>gate/up rows and down columns: one per kept MLP channel.</summary>
    MlpChannels,
}

/// <summary>Names, shapes and pruning axes of <see cref="LayerTensor"/>, in one table.</summary>
public static class LayerTensors
{
    public static readonly LayerTensor[] All = Enum.GetValues<LayerTensor>();

    /// <summary>HF order inside a layer (how checkpoints list them).</summary>
    public static readonly LayerTensor[] SaveOrder =
    [
        LayerTensor.InputNorm,
        LayerTensor.QProj, LayerTensor.QBias, LayerTensor.KProj, LayerTensor.KBias,
        LayerTensor.VProj, LayerTensor.VBias, LayerTensor.OProj, LayerTensor.OBias,
        LayerTensor.PostAttentionNorm,
        LayerTensor.GateProj, LayerTensor.GateBias, LayerTensor.UpProj, LayerTensor.UpBias,
        LayerTensor.DownProj, LayerTensor.DownBias,
    ];

    /// <summary>The HF name after <c>model.layers.{i}.</c>.</summary>
    public static string HfName(LayerTensor t) => t switch
    {
        LayerTensor.InputNorm => "input_layernorm.weight",
        LayerTensor.PostAttentionNorm => "post_attention_layernorm.weight",
        LayerTensor.QProj => "self_attn.q_proj.weight",
        LayerTensor.KProj => "self_attn.k_proj.weight",
        LayerTensor.VProj => "self_attn.v_proj.weight",
        LayerTensor.OProj => "self_attn.o_proj.weight",
        LayerTensor.QBias => "self_attn.q_proj.bias",
        LayerTensor.KBias => "self_attn.k_proj.bias",
        LayerTensor.VBias => "self_attn.v_proj.bias",
        LayerTensor.OBias => "self_attn.o_proj.bias",
        LayerTensor.GateProj => "mlp.gate_proj.weight",
        LayerTensor.UpProj => "mlp.up_proj.weight",
        LayerTensor.DownProj => "mlp.down_proj.weight",
        LayerTensor.GateBias => "mlp.gate_proj.bias",
        LayerTensor.UpBias => "mlp.up_proj.bias",
        LayerTensor.DownBias => "mlp.down_proj.bias",
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    public static bool IsNorm(LayerTensor t) => t is LayerTensor.InputNorm or LayerTensor.PostAttentionNorm;

    /// <summary>
    /// The shape of <paramref name="t"/> in a layer of widths <paramref name="w"/> (HF layout,
    /// <c>nn.Linear.weight</c> is [out, in]), or null when such a layer has no such tensor.
    /// </summary>
    public static long[]? Shape(LayerTensor t, LayerWidths w, ModelConfig c)
    {
        long d = c.HiddenSize, q = (long)w.NumHeads * c.HeadDim, kv = (long)w.NumKvHeads * c.HeadDim, i = w.IntermediateSize;
        bool attention = w.NumHeads > 0, mlp = i > 0;
        return t switch
        {
            LayerTensor.InputNorm or LayerTensor.PostAttentionNorm => [d],
            LayerTensor.QProj => attention ? [q, d] : null,
            LayerTensor.KProj or LayerTensor.VProj => attention ? [kv, d] : null,
            LayerTensor.OProj => attention ? [d, q] : null,
            LayerTensor.QBias => attention && c.QkvBias ? [q] : null,
            LayerTensor.KBias or LayerTensor.VBias => attention && c.QkvBias ? [kv] : null,
            LayerTensor.OBias => w.OProjBias ? [d] : null,
            LayerTensor.GateProj or LayerTensor.UpProj => mlp ? [i, d] : null,
            LayerTensor.DownProj => mlp ? [d, i] : null,
            LayerTensor.GateBias or LayerTensor.UpBias => mlp && c.GateUpBias ? [i] : null,
            LayerTensor.DownBias => w.DownProjBias ? [d] : null,
            _ => throw new ArgumentOutOfRangeException(nameof(t)),
        };
    }

    /// <summary>The dimension pruning selects along, and which unit indexes it.</summary>
    public static (UnitAxis Axis, int Dim) PrunedAxis(LayerTensor t) => t switch
    {
        LayerTensor.QProj or LayerTensor.QBias => (UnitAxis.QueryChannels, 0),
        LayerTensor.OProj => (UnitAxis.QueryChannels, 1),
        LayerTensor.KProj or LayerTensor.KBias or LayerTensor.VProj or LayerTensor.VBias => (UnitAxis.KvChannels, 0),
        LayerTensor.GateProj or LayerTensor.GateBias or LayerTensor.UpProj or LayerTensor.UpBias => (UnitAxis.MlpChannels, 0),
        LayerTensor.DownProj => (UnitAxis.MlpChannels, 1),
        _ => (UnitAxis.None, 0),
    };
}

namespace Search.Model;

/// <summary>
/// Widths of one decoder layer. Pruning changes these per layer, so the model never assumes that
/// all layers look alike. A layer with zero heads (or zero channels) skips that block: the
/// residual passes through.
/// </summary>
/// <param name="NumHeads">Query heads kept in this layer.</param>
/// <param name="NumKvHeads">Key/value heads kept; NumHeads is a multiple of it (GQA groups).</param>
/// <param name="IntermediateSize">MLP channels kept (gate/up rows, down columns).</param>
/// <param name="OProjBias">o_proj carries a bias (FLAP's compensation, or attention_bias models).</param>
/// <param name="DownProjBias">down_proj carries a bias (FLAP's compensation, or mlp_bias models).</param>
public sealed record LayerWidths(int NumHeads, int NumKvHeads, int IntermediateSize, bool OProjBias, bool DownProjBias)
{
    /// <summary>Query heads per KV head in this layer (0 when attention is removed).</summary>
    public int GroupSize => NumKvHeads == 0 ? 0 : NumHeads / NumKvHeads;
}

/// <summary>
/// Everything the decoder needs to know about a LLaMA-family checkpoint, read from (and written
/// to) an HF <c>config.json</c>. Dense checkpoints have identical <see cref="Layers"/>; pruned
/// ones carry per-layer widths.
/// </summary>
public sealed record ModelConfig
{
    public required string ModelType { get; init; }
    public required int HiddenSize { get; init; }
    public required int VocabSize { get; init; }
    public required int HeadDim { get; init; }
    /// <summary>Dense (unpruned) widths, as in the original config; the per-layer truth is <see cref="Layers"/>.</summary>
    public required int NumAttentionHeads { get; init; }
    public required int NumKeyValueHeads { get; init; }
    public required int IntermediateSize { get; init; }
    public required IReadOnlyList<LayerWidths> Layers { get; init; }
    public double RmsNormEps { get; init; } = 1e-6;
    public double RopeTheta { get; init; } = 10000.0;
    public bool TieWordEmbeddings { get; init; }
    /// <summary>q/k/v projections carry biases (Qwen2; Llama with attention_bias).</summary>
    public bool QkvBias { get; init; }
    /// <summary>gate/up projections carry biases (Llama with mlp_bias).</summary>
    public bool GateUpBias { get; init; }
    public int MaxPositionEmbeddings { get; init; } = 2048;
    /// <summary>Mistral-style sliding window (null when attention is fully causal).</summary>
    public int? SlidingWindow { get; init; }
    public int? BosTokenId { get; init; } = 1;
    public int? EosTokenId { get; init; } = 2;
    public string TorchDtype { get; init; } = "float32";

    public int NumLayers => Layers.Count;

    /// <summary>Parameters of a model with these widths: embedding, layers, final norm, lm_head when untied.</summary>
    public long ParameterCount() =>
        (long)VocabSize * HiddenSize * (TieWordEmbeddings ? 1 : 2) + HiddenSize
        + Layers.Sum(w => LayerTensors.All.Sum(k => LayerTensors.Shape(k, w, this) is { } shape ? shape.Aggregate(1L, (a, b) => a * b) : 0));

    /// <summary>
    /// Whether the architecture itself gives o_proj a bias (Llama/Mistral attention_bias). Qwen2 has
    /// q/k/v biases but never an o_proj bias.
    /// </summary>
    public bool ArchitectureOProjBias => ModelType != "qwen2" && QkvBias;

    /// <summary>Whether the architecture itself gives down_proj a bias (Llama mlp_bias).</summary>
    public bool ArchitectureDownProjBias => GateUpBias;

    /// <summary>
    /// True when every layer has the dense widths and no compensation biases: an o/down bias the
    /// architecture does not have can only come from pruning (FLAP), and such a checkpoint must keep
    /// its per-layer fields when saved, or the biases would be dropped on reload.
    /// </summary>
    public bool IsDense => Layers.All(l =>
        l.NumHeads == NumAttentionHeads && l.NumKvHeads == NumKeyValueHeads && l.IntermediateSize == IntermediateSize
        && l.OProjBias == ArchitectureOProjBias && l.DownProjBias == ArchitectureDownProjBias);

    /// <summary>Model types whose checkpoints follow the LLaMA decoder layout we implement.</summary>
    public static readonly IReadOnlySet<string> SupportedModelTypes =
        new HashSet<string>(StringComparer.Ordinal) { "llama", "mistral", "qwen2" };
}

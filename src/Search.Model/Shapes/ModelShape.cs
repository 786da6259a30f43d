namespace Search.Model.Shapes;

/// <summary>
/// The architecture of a published checkpoint, as its HF config.json states it (no weights): what
/// random-weight stand-ins are built from, so scale claims are reproducible without the real files.
/// </summary>
/// <param name="Name">CLI name, e.g. <c>tinyllama-1.1b</c>.</param>
/// <param name="Source">The HF repository whose config.json these numbers come from.</param>
/// <param name="Shards">How many safetensors files the published checkpoint has (in its stored dtype).</param>
public sealed record ModelShape(
    string Name, string Source, string ModelType, int Hidden, int Layers, int Heads, int KvHeads, int Intermediate, int Vocab,
    bool Tied, double RopeTheta, double RmsNormEps, int MaxPositions, int Shards, bool QkvBias = false, int? SlidingWindow = null,
    int? HeadDim = null)
{
    public ModelConfig Config(int? layers = null) => new()
    {
        ModelType = ModelType,
        HiddenSize = Hidden,
        VocabSize = Vocab,
        HeadDim = HeadDim ?? Hidden / Heads,
        NumAttentionHeads = Heads,
        NumKeyValueHeads = KvHeads,
        IntermediateSize = Intermediate,
        Layers = Enumerable.Range(0, layers ?? Layers).Select(_ => new LayerWidths(Heads, KvHeads, Intermediate, false, false)).ToList(),
        RmsNormEps = RmsNormEps,
        RopeTheta = RopeTheta,
        TieWordEmbeddings = Tied,
        QkvBias = QkvBias,
        MaxPositionEmbeddings = MaxPositions,
        SlidingWindow = SlidingWindow,
    };
}

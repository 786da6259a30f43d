namespace Search.Model;

/// <summary>
/// A decoder whose layers are had one at a time: the dense <see cref="Transformer"/> itself, or a
/// pruned model built layer by layer from it (no second full model in memory). Evaluators and
/// writers walk <see cref="Layer"/> from 0 to <see cref="ModelConfig.NumLayers"/>−1 and dispose
/// each layer before asking for the next.
/// </summary>
public interface IDecoderLayers
{
    /// <summary>Widths of these layers (pruned widths for a pruned model).</summary>
    ModelConfig Config { get; }

    /// <summary>The model whose embedding, final norm, lm_head, rotary tables and block code the layers run with.</summary>
    Transformer Host { get; }

    /// <summary>Layer <paramref name="index"/>, ready to compute on the host's device and dtype. The caller disposes it.</summary>
    DecoderLayerWeights Layer(int index);

    /// <summary>Layer <paramref name="index"/> as a checkpoint stores it (the stored dtype, on the host): what writers save. The caller disposes it.</summary>
    DecoderLayerWeights StoredLayer(int index);
}

using static TorchSharp.torch;

namespace Search.Model;

/// <summary>
/// A whole <see cref="Transformer"/> from layers had one at a time, for the code that needs every
/// layer at once (the GGUF, hf-padded and DeciLM writers, KV-cached decoding). Each layer is
/// <see cref="IDecoderLayers.StoredLayer"/> (the stored dtype: exactly what a compact export
/// writes); embedding, final norm and lm_head are aliases of the host's, so disposing the result
/// frees the pruned layers and leaves the host usable. The source (e.g. a pruned model holding
/// least-squares refits, which the layers may alias) must outlive the result.
/// </summary>
public static class Materialized
{
    /// <param name="ready">Layers in the host's compute dtype and device (<see cref="IDecoderLayers.Layer"/>: what a
    /// timing should run) instead of the stored dtype (what an export writes).</param>
    public static Transformer Of(IDecoderLayers model, bool ready = false)
    {
        var host = model.Host;
        var layers = new List<DecoderLayerWeights>(model.Config.NumLayers);
        using var noGrad = no_grad();
        try
        {
            for (int l = 0; l < model.Config.NumLayers; l++)
            {
                using var scope = NewDisposeScope();
                var layer = ready ? model.Layer(l) : model.StoredLayer(l);
                foreach (var (_, t) in layer.Named()) t.DetachFromDisposeScope();
                layers.Add(layer);
            }
            bool tied = ReferenceEquals(host.LmHead, host.Embedding);
            return new Transformer(model.Config, host.Embedding.alias(), host.FinalNorm.alias(), tied ? null : host.LmHead.alias(),
                layers, host.DType, host.Device);
        }
        catch
        {
            foreach (var l in layers) l.Dispose();
            throw;
        }
    }
}

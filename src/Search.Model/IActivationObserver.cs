using static TorchSharp.torch;

namespace Search.Model;

/// <summary>
/// Sees the inputs of o_proj and down_proj during a forward pass: what FLAP's calibration
/// statistics and every data-aware metric are computed from. Tensors are only valid during the call.
/// </summary>
public interface IActivationObserver
{
    /// <summary>The next calls belong to the batch whose first window is <paramref name="firstWindow"/> (its pool index).</summary>
    void BeginBatch(int firstWindow) { }

    /// <summary>Input of o_proj in layer <paramref name="layer"/>: [batch, seq, heads·head_dim].</summary>
    void OnOProjInput(int layer, Tensor x);

    /// <summary>Input of down_proj in layer <paramref name="layer"/>: [batch, seq, intermediate].</summary>
    void OnDownProjInput(int layer, Tensor x);
}

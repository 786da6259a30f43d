using Search.Model;
using static TorchSharp.torch;

namespace Search.Pruning.Levels;

/// <summary>
/// Every layer's <see cref="SiteGram"/> pair (o_proj input, down_proj input) of the DENSE model on
/// calibration windows, from one layer-by-layer walk — the inputs <see cref="Reconstruction.LeastSquaresFit"/>'s
/// one-shot refit sees (the MLP's after the dense attention). Bytes: Σ over layers of (h·H+1)² + (I+1)² doubles;
/// <see cref="BytesFor"/> tells before anything is built.
/// </summary>
public sealed class DenseGrams : IDisposable
{
    private readonly List<(SiteGram Attention, SiteGram Mlp)> layers;

    private DenseGrams(List<(SiteGram, SiteGram)> layers) => this.layers = layers;

    public (SiteGram Attention, SiteGram Mlp) this[int layer] => layers[layer];

    public long Bytes => layers.Sum(l => l.Attention.Bytes + l.Mlp.Bytes);

    /// <summary>What <see cref="Collect"/> would hold for <paramref name="config"/>.</summary>
    public static long BytesFor(ModelConfig config) =>
        config.Layers.Sum(l => Square(l.NumHeads * config.HeadDim + 1) + Square(l.IntermediateSize + 1)) * sizeof(double);

    private static long Square(long n) => n * n;

    /// <param name="ids">Row-major [count, seqLen] calibration ids.</param>
    public static DenseGrams Collect(Transformer dense, long[] ids, int count, int seqLen, int batchSize)
    {
        int hd = dense.Config.HeadDim;
        var grams = new List<(SiteGram, SiteGram)>();
        var stream = new List<Tensor>();
        using var noGrad = no_grad();
        try
        {
            for (int s = 0; s < count; s += batchSize)
            {
                int b = Math.Min(batchSize, count - s);
                using var batch = tensor(ids.AsSpan(s * seqLen, b * seqLen).ToArray(), [b, seqLen], ScalarType.Int64);
                stream.Add(dense.Embed(batch).DetachFromDisposeScope());
            }
            for (int l = 0; l < dense.Config.NumLayers; l++)
            {
                using var d = dense.Layer(l);
                var device = d.InputNorm.device;
                var attention = new SiteGram(d.Widths.NumHeads * hd, device);
                var mlp = new SiteGram(d.Widths.IntermediateSize, device);
                grams.Add((attention, mlp));
                for (int i = 0; i < stream.Count; i++)
                {
                    using var scope = NewDisposeScope();
                    var x = stream[i];
                    long rows = x.shape[0] * x.shape[1];
                    var a = dense.AttentionInputs(d, x);
                    attention.Add(a, rows);
                    var h = x + Transformer.AttentionOutput(d, a, x);
                    var m = dense.MlpInputs(d, h);
                    mlp.Add(m, rows);
                    var next = (h + Transformer.MlpOutput(d, m, h)).DetachFromDisposeScope();
                    stream[i].Dispose();
                    stream[i] = next;
                }
            }
            return new DenseGrams(grams);
        }
        catch
        {
            foreach (var (a, m) in grams) { a.Dispose(); m.Dispose(); }
            throw;
        }
        finally
        {
            foreach (var t in stream) t.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var (a, m) in layers) { a.Dispose(); m.Dispose(); }
    }
}

using System.Diagnostics;
using Search.Model;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Search.Data.Evaluation;

/// <summary>Batched, no-grad perplexity over fixed token windows.</summary>
public static class PerplexityEvaluator
{
    /// <summary>Logit elements per batch (B·T·V) we allow: ~256 MB of float32 logits.</summary>
    private const long LogitBudget = 64L << 20;

    /// <summary>Windows per batch so that the logits stay within a fixed memory budget.</summary>
    public static int AutoBatchSize(int seqLen, int vocab) =>
        (int)Math.Clamp(LogitBudget / ((long)seqLen * vocab), 1, 64);

    /// <summary>
    /// Sum of next-token NLL (float64) and scored-token count over <paramref name="windows"/>
    /// (row-major [count, seqLen] ids). Position 0 of each window is context only. The model runs
    /// layer by layer (<see cref="LayerStream"/>), so a pruned model built layer by layer from the
    /// dense one is never held whole.
    /// </summary>
    public static NllTotal NllSum(IDecoderLayers model, long[] windows, int count, int seqLen,
        int batchSize = 0, Action<int>? onBatch = null) =>
        Scores(model, windows, count, seqLen, teacher: null, batchSize, onBatch).Nll;

    /// <summary>
    /// Perplexity's NLL sum and, with a <paramref name="teacher"/> over the same windows, the summed
    /// KL(teacher ‖ model) over the same positions — in one pass.
    /// </summary>
    public static (NllTotal Nll, double? KlSum) Scores(IDecoderLayers model, long[] windows, int count, int seqLen,
        TeacherDistribution? teacher, int batchSize = 0, Action<int>? onBatch = null)
    {
        if (teacher is not null && (teacher.Windows < count || teacher.SeqLen != seqLen))
            throw new ArgumentException($"the teacher covers {teacher.Windows}×{teacher.SeqLen} windows, asked for {count}×{seqLen}");
        if (windows.Length != (long)count * seqLen)
            throw new ArgumentException($"expected {count}×{seqLen} ids, got {windows.Length}");
        if (batchSize <= 0) batchSize = AutoBatchSize(seqLen, model.Config.VocabSize);
        var host = model.Host;
        double total = 0, kl = 0;
        long scored = 0;
        LayerStream.Run(model, windows, count, seqLen, batchSize, observer: null, (start, hidden) =>
        {
            using var scope = NewDisposeScope();
            int b = (int)hidden.shape[0];
            var logits = host.Logits(hidden);                                   // [B, T, V]
            // Score all positions against ids shifted left; the last position has no target and is
            // ignored. Avoids copying a narrowed [B, T−1, V] slice of the logits.
            var flat = logits.view(-1, logits.shape[2]);                         // [B·T, V]
            if (flat.dtype != ScalarType.Float32) flat = flat.to_type(ScalarType.Float32);
            var ids = tensor(windows.AsSpan(start * seqLen, b * seqLen).ToArray(), [b, seqLen], ScalarType.Int64).to(flat.device);
            var target = cat([ids.narrow(1, 1, seqLen - 1), full([b, 1], -100L, ScalarType.Int64, device: ids.device)], 1).view(-1);
            var nll = F.cross_entropy(flat, target, ignore_index: -100, reduction: nn.Reduction.None); // [B·T], 0 where ignored
            total += nll.to_type(ScalarType.Float64).sum().cpu().item<double>();
            if (teacher is not null) kl += teacher.KlSum(start, logits);
            scored += (long)b * (seqLen - 1);
            onBatch?.Invoke(b);
        });
        return (new NllTotal(total, scored), teacher is null ? null : kl);
    }

    /// <summary>
    /// NLL sum over variable-length sequences (e.g. one story each with its own BOS), every
    /// next-token prediction scored once. A sequence longer than the model's context
    /// (max_position_embeddings) is cut into context-sized chunks that overlap by one token, each
    /// chunk scoring its positions 1..n−1 — so every token after the first is predicted exactly once.
    /// </summary>
    public static NllTotal NllSumOfSequences(Transformer model, IEnumerable<long[]> sequences)
    {
        using var noGrad = no_grad();
        int context = model.Config.MaxPositionEmbeddings;
        double total = 0;
        long scored = 0;
        foreach (var seq in sequences)
            for (int start = 0; start < seq.Length - 1; start += context - 1)
            {
                int n = Math.Min(context, seq.Length - start);
                using var scope = NewDisposeScope();
                var ids = tensor(seq.AsSpan(start, n).ToArray(), [1, n], ScalarType.Int64).to(model.Device); // [1, n]
                var logits = model.Forward(ids);                                                               // [1, n, V]
                var pred = logits[0].narrow(0, 0, n - 1).to_type(ScalarType.Float32);
                var nll = F.cross_entropy(pred, ids[0].narrow(0, 1, n - 1), reduction: nn.Reduction.None);
                total += nll.to_type(ScalarType.Float64).sum().cpu().item<double>();
                scored += n - 1;
            }
        return new NllTotal(total, scored);
    }

    public static PerplexityResult Evaluate(IDecoderLayers model, long[] windows, int count, int seqLen,
        string dataset, string split, string bos, string modelHash, int batchSize = 0, Action<int>? onBatch = null)
    {
        var sw = Stopwatch.StartNew();
        var nll = NllSum(model, windows, count, seqLen, batchSize, onBatch);
        sw.Stop();
        return new PerplexityResult(nll.Perplexity, nll.Mean, count, nll.Tokens, sw.Elapsed.TotalSeconds,
            dataset, split, seqLen, bos, Search.Model.Checkpoints.Checkpoint.DtypeName(model.Host.DType), modelHash);
    }
}

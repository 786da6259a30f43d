using Search.Model;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Search.Data.Evaluation;

/// <summary>
/// The dense model's next-token distributions on a fixed set of windows, computed once and kept,
/// so every trial's KL(dense ‖ pruned) costs only the pruned forward. A small vocabulary keeps
/// the full log-probabilities; a large one keeps the top-k tokens per position plus the remaining
/// mass as one bucket (KL over that coarsened distribution is a lower bound of the full KL, exact
/// when the top k carry all the mass). Memory: positions × k × 12 bytes (e.g. 2,048 positions × 64).
/// </summary>
public sealed class TeacherDistribution : IDisposable
{
    /// <summary>Vocabularies up to this size keep full log-probabilities.</summary>
    public const int FullVocabularyLimit = 4096;

    /// <summary>Tokens kept per position for larger vocabularies.</summary>
    public const int TopK = 64;

    private readonly Tensor logProbs;   // [N, T, K] float32: teacher log p of the kept tokens
    private readonly Tensor? indices;   // [N, T, K] int64 token ids (null: all V tokens in order)

    public int Windows { get; }
    public int SeqLen { get; }
    public bool Full => indices is null;

    private TeacherDistribution(Tensor logProbs, Tensor? indices, int windows, int seqLen)
    {
        this.logProbs = logProbs;
        this.indices = indices;
        Windows = windows;
        SeqLen = seqLen;
    }

    /// <summary>The teacher on windows (row-major [count, seqLen] ids), run layer by layer.</summary>
    public static TeacherDistribution Of(IDecoderLayers dense, long[] windows, int count, int seqLen, int batchSize = 0)
    {
        int vocab = dense.Config.VocabSize;
        if (batchSize <= 0) batchSize = PerplexityEvaluator.AutoBatchSize(seqLen, vocab);
        bool full = vocab <= FullVocabularyLimit;
        var parts = new List<(Tensor LogP, Tensor? Index)>();
        LayerStream.Run(dense, windows, count, seqLen, batchSize, observer: null, (_, hidden) =>
        {
            using var scope = NewDisposeScope();
            var logp = F.log_softmax(dense.Host.Logits(hidden).to_type(ScalarType.Float32), -1); // [b, T, V]
            if (full)
            {
                parts.Add((logp.DetachFromDisposeScope(), null));
                return;
            }
            var (values, index) = logp.topk(TopK, dim: -1);                                    // [b, T, K]
            parts.Add((values.DetachFromDisposeScope(), index.DetachFromDisposeScope()));
        });
        // Kept beyond any caller's dispose scope: the teacher lives as long as the study's runner.
        var all = cat(parts.Select(p => p.LogP).ToList(), 0).DetachFromDisposeScope();
        var idx = full ? null : cat(parts.Select(p => p.Index!).ToList(), 0).DetachFromDisposeScope();
        foreach (var (a, b) in parts) { a.Dispose(); b?.Dispose(); }
        return new TeacherDistribution(all, idx, count, seqLen);
    }

    /// <summary>
    /// Σ over positions 0..T−2 of KL(teacher ‖ student) for windows [first, first+b) given the
    /// student's logits [b, T, V] (the last position, which has no target in perplexity, is left out
    /// as well so both scores cover the same positions), in float64.
    /// </summary>
    public double KlSum(int first, Tensor studentLogits)
    {
        using var scope = NewDisposeScope();
        long b = studentLogits.shape[0], t = studentLogits.shape[1];
        var student = F.log_softmax(studentLogits.to_type(ScalarType.Float32), -1).narrow(1, 0, t - 1); // [b, T−1, V]
        var teacher = logProbs.narrow(0, first, b).narrow(1, 0, t - 1).to(student.device);            // [b, T−1, K]
        Tensor kl;
        if (indices is null)
        {
            kl = (teacher.exp() * (teacher - student)).sum(-1);                                       // [b, T−1]
        }
        else
        {
            var idx = indices.narrow(0, first, b).narrow(1, 0, t - 1).to(student.device);
            var studentTop = student.gather(-1, idx);                                                  // [b, T−1, K]
            var pt = teacher.exp();
            var ptRest = (1 - pt.sum(-1)).clamp_min(1e-12);
            var psRest = (1 - studentTop.exp().sum(-1)).clamp_min(1e-12);
            kl = (pt * (teacher - studentTop)).sum(-1) + ptRest * (ptRest.log() - psRest.log());
        }
        return kl.to_type(ScalarType.Float64).sum().item<double>();
    }

    public void Dispose()
    {
        logProbs.Dispose();
        indices?.Dispose();
    }
}

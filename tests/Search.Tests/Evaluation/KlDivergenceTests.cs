using Search.Data.Evaluation;
using Search.Model;
using Search.Tests.Pruning;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Search.Tests.Evaluation;

/// <summary>KL(dense ‖ pruned) as the objective computes it, against a direct computation from both models' logits.</summary>
[Collection(PruningCollection.Name)]
public sealed class KlDivergenceTests
{
    private const int Windows = 3, SeqLen = 9;

    /// <summary>Σ over positions 0..T−2 of Σ_v p(v)·(log p(v) − log q(v)), computed directly in float64.</summary>
    private static double DirectKl(Transformer teacher, Transformer student, long[] ids)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = tensor(ids, [Windows, SeqLen], ScalarType.Int64);
        var p = F.log_softmax(teacher.Forward(x).to_type(ScalarType.Float64), -1).narrow(1, 0, SeqLen - 1);
        var q = F.log_softmax(student.Forward(x).to_type(ScalarType.Float64), -1).narrow(1, 0, SeqLen - 1);
        return (p.exp() * (p - q)).sum().item<double>();
    }

    [Fact]
    public void Given_two_models_When_scoring_KL_with_a_full_teacher_Then_it_equals_the_direct_sum()
    {
        using var teacher = RandomModels.GqaWithBiases(seed: 2);
        using var student = RandomModels.GqaWithBiases(seed: 5);
        var ids = RandomModels.RandomWindows(teacher.Config.VocabSize, Windows, SeqLen, seed: 1);
        using var dist = TeacherDistribution.Of(teacher, ids, Windows, SeqLen);
        Assert.True(dist.Full);
        var (nll, kl) = PerplexityEvaluator.Scores(student, ids, Windows, SeqLen, dist);
        double direct = DirectKl(teacher, student, ids);
        Assert.True(Math.Abs(kl!.Value - direct) <= 1e-4 * Math.Abs(direct), $"{kl} vs {direct}");
        Assert.Equal(Windows * (SeqLen - 1), nll.Tokens);
        var (_, self) = PerplexityEvaluator.Scores(teacher, ids, Windows, SeqLen, dist);
        Assert.True(Math.Abs(self!.Value) < 1e-4, $"KL of the teacher to itself: {self}");
    }

    [Fact]
    public void Given_a_large_vocabulary_When_the_teacher_keeps_its_top_k_Then_KL_is_a_lower_bound_close_to_the_full_one()
    {
        using var teacher = RandomModels.Create(seed: 3, layers: 1, hidden: 16, heads: 2, kvHeads: 2, headDim: 8, intermediate: 24,
            vocab: TeacherDistribution.FullVocabularyLimit + 904);
        using var student = RandomModels.Create(seed: 4, layers: 1, hidden: 16, heads: 2, kvHeads: 2, headDim: 8, intermediate: 24,
            vocab: TeacherDistribution.FullVocabularyLimit + 904);
        var ids = RandomModels.RandomWindows(teacher.Config.VocabSize, Windows, SeqLen, seed: 6);
        using var dist = TeacherDistribution.Of(teacher, ids, Windows, SeqLen);
        Assert.False(dist.Full);
        var (_, kl) = PerplexityEvaluator.Scores(student, ids, Windows, SeqLen, dist);
        double direct = DirectKl(teacher, student, ids);
        // Coarsening the distributions (top-k + one bucket) can only lose divergence.
        Assert.True(kl!.Value <= direct * (1 + 1e-6) + 1e-9, $"top-k KL {kl} vs full {direct}");
        Assert.True(kl.Value > 0);
    }
}

using Search.Data.Evaluation;
using Search.Data.Tasks;
using Search.Model;
using Search.Tests.Pruning;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Search.Tests.Tasks;

/// <summary>
/// Every batching path of <see cref="LoglikelihoodEvaluator"/> — own row, row shared with a longer
/// request it is a prefix of, right padding inside a length bucket, one row per batch, several
/// LayerStream groups, left truncation to the context length — gives the sum of the continuation's
/// token log-probs of a plain full-sequence forward.
/// </summary>
public sealed class LoglikelihoodTests
{
    private static readonly Lazy<Transformer> Model = new(() => RandomModels.GqaWithBiases(seed: 5));

    /// <summary>The reference: one unpadded forward of (context+continuation)[-(L+1):], Σ log_softmax at the continuation's tokens.</summary>
    private static double Direct(Transformer model, TokenRequest r, int maxLength)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int[] full = [.. r.Context, .. r.Continuation];
        if (full.Length > maxLength + 1) full = full[^(maxLength + 1)..];
        int c = Math.Min(r.Continuation.Length, full.Length - 1);
        var ids = tensor(full[..^1].Select(i => (long)i).ToArray(), [1, full.Length - 1], ScalarType.Int64);
        var logp = F.log_softmax(model.Forward(ids)[0].to_type(ScalarType.Float64), -1);
        double sum = 0;
        for (int k = 0; k < c; k++)
            sum += logp[full.Length - 1 - c + k, full[full.Length - c + k]].item<double>();
        return sum;
    }

    private static List<TokenRequest> Requests(int vocab)
    {
        var random = new Random(3);
        int[] Ids(int n) => Enumerable.Range(0, n).Select(_ => random.Next(3, vocab)).ToArray();
        var list = new List<TokenRequest>();
        var shared = Ids(9);
        list.Add(new TokenRequest(shared, [Ids(1)[0]]));              // one-token continuations of one context: share a row
        list.Add(new TokenRequest(shared, [Ids(1)[0]]));
        list.Add(new TokenRequest(shared, Ids(4)));                   // the longer request the two above are prefixes of
        list.Add(new TokenRequest(shared, list[2].Continuation));     // identical to the one above
        for (int len = 3; len < 40; len += 5) list.Add(new TokenRequest(Ids(len), Ids(1 + len % 4)));   // a spread of lengths: padding within buckets
        list.Add(new TokenRequest(Ids(30), Ids(3)));                  // left-truncated when L = 24
        list.Add(new TokenRequest(Ids(5), []));                       // empty continuation: 0
        return list;
    }

    [Theory]
    [InlineData(0, true, 0, 0)]            // automatic batch, shared prefixes
    [InlineData(1, true, 0, 0)]            // one row per block call
    [InlineData(3, false, 0, 0)]           // no sharing, small batches
    [InlineData(2, true, 4096, 0)]         // a tiny hidden budget: several LayerStream groups per bucket
    [InlineData(0, true, 0, 24)]           // context length 24: long requests are cut on the left as lm-eval does
    public void Every_path_equals_a_full_sequence_forward(int batch, bool share, long hiddenBudget, int maxLength)
    {
        var model = Model.Value;
        var requests = Requests(model.Config.VocabSize);
        var got = LoglikelihoodEvaluator.Score(model, requests, out var stats, batch, share,
            hiddenBudget > 0 ? hiddenBudget : LayerStream.DefaultHiddenBudgetBytes, maxLength: maxLength);
        int length = maxLength > 0 ? maxLength : model.Config.MaxPositionEmbeddings;
        for (int i = 0; i < requests.Count; i++)
            Assert.Equal(Direct(model, requests[i], length), got[i].Value, 4);
        Assert.Equal(0, got[^1].Value);
        if (share) Assert.Equal(3, stats.SharedRequests);
        else Assert.Equal(0, stats.SharedRequests);
        Assert.True(stats.Buckets > 1);
        Assert.True(stats.PaddedTokens > stats.RealTokens, "some rows are padded");
    }

    [Fact]
    public void Greedy_flag_is_true_exactly_when_every_continuation_token_is_the_argmax()
    {
        var model = Model.Value;
        using var noGrad = no_grad();
        int[] ctx = [5, 9, 12, 7];
        var logits = model.Forward(tensor(ctx.Select(i => (long)i).ToArray(), [1, ctx.Length], ScalarType.Int64))[0];
        int best = (int)logits[-1].argmax().item<long>();
        int other = (best + 1) % model.Config.VocabSize;
        var got = LoglikelihoodEvaluator.Score(model, [new TokenRequest(ctx, [best]), new TokenRequest(ctx, [other])]);
        Assert.True(got[0].IsGreedy);
        Assert.False(got[1].IsGreedy);
    }

    [Fact]
    public void Padded_lengths_waste_at_most_a_quarter_and_never_pass_the_context()
    {
        for (int n = 1; n < 3000; n++)
        {
            int p = LoglikelihoodEvaluator.PaddedLength(n, 2048);
            Assert.True(p >= n && (p <= 2048 || p == n) && p <= Math.Max(n + 8, n * 1.25), $"{n} → {p}");
        }
    }
}

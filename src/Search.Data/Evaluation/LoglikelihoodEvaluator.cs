using Search.Model;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Search.Data.Evaluation;

/// <summary>A continuation to score after a context, as token ids.</summary>
public sealed record TokenRequest(int[] Context, int[] Continuation);

/// <summary>Σ log p(continuation token | everything before it), float64, and whether every continuation token is the argmax.</summary>
public readonly record struct Loglikelihood(double Value, bool IsGreedy);

/// <summary>Which batching paths a scoring run took (for tests and the benchmark).</summary>
public sealed record LoglikelihoodStats(int Requests, int Rows, int SharedRequests, int Buckets, long PaddedTokens, long RealTokens);

/// <summary>
/// Continuation log-likelihoods of many (context, continuation) requests, KV-free: each request is
/// one causal forward over (context + continuation)[−(L+1):][:−1] (L = the model's context length,
/// lm-eval's left truncation), the continuation's log-probs read from the last positions.
/// Requests whose input is a prefix of another request's input (same context with a one-token
/// continuation, e.g. BoolQ's " no"/" yes"; identical requests) are read from that longer row, which
/// the causal mask makes exact. Rows are grouped into length buckets (each padded on the right to
/// the bucket's length, at most 25% more than a row's own length: the causal mask keeps padding from
/// reaching real positions) and run through <see cref="LayerStream"/>, so a pruned model built layer by
/// layer is scored without being held whole and the hidden states in memory stay within a fixed budget.
/// Only the needed positions go through the LM head.
/// </summary>
public static class LoglikelihoodEvaluator
{
    /// <summary>Tokens per block call (rows × padded length) unless a batch size is given.</summary>
    public const int TokenBudget = 8192;

    public static Loglikelihood[] Score(IDecoderLayers model, IReadOnlyList<TokenRequest> requests, int batchSize = 0,
        bool sharePrefixes = true, long hiddenBudgetBytes = LayerStream.DefaultHiddenBudgetBytes) =>
        Score(model, requests, out _, batchSize, sharePrefixes, hiddenBudgetBytes);

    /// <param name="maxLength">Context length L for the left truncation (0: the model's max_position_embeddings).</param>
    public static Loglikelihood[] Score(IDecoderLayers model, IReadOnlyList<TokenRequest> requests, out LoglikelihoodStats stats,
        int batchSize = 0, bool sharePrefixes = true, long hiddenBudgetBytes = LayerStream.DefaultHiddenBudgetBytes, Action<int>? onRequests = null,
        int maxLength = 0)
    {
        if (maxLength <= 0) maxLength = model.Config.MaxPositionEmbeddings;
        int n = requests.Count;
        var inputs = new int[n][];
        var targets = new int[n][];
        var result = new Loglikelihood[n];
        for (int i = 0; i < n; i++)
        {
            var r = requests[i];
            int[] full = [.. r.Context, .. r.Continuation];
            if (full.Length > maxLength + 1) full = full[^(maxLength + 1)..];
            int c = Math.Min(r.Continuation.Length, full.Length - 1);
            inputs[i] = full[..^1];
            targets[i] = full[^c..];
            if (c == 0) result[i] = new Loglikelihood(0, true);
        }
        var owner = Owners(inputs, targets, sharePrefixes);
        var rows = Enumerable.Range(0, n).Where(i => owner[i] == i && targets[i].Length > 0).ToList();
        var byRow = Enumerable.Range(0, n).Where(i => targets[i].Length > 0).GroupBy(i => owner[i]).ToDictionary(g => g.Key, g => g.ToArray());
        var buckets = rows.GroupBy(i => PaddedLength(inputs[i].Length, maxLength)).OrderBy(g => g.Key).ToList();
        long padded = 0, real = 0;
        var sums = new double[n];
        var greedy = Enumerable.Repeat(true, n).ToArray();
        foreach (var bucket in buckets)
        {
            int seqLen = bucket.Key;
            var members = bucket.ToArray();
            var ids = new long[(long)members.Length * seqLen];
            for (int m = 0; m < members.Length; m++)
            {
                var inp = inputs[members[m]];
                for (int t = 0; t < inp.Length; t++) ids[(long)m * seqLen + t] = inp[t];
                real += inp.Length;
            }
            padded += ids.Length;
            int batch = batchSize > 0 ? batchSize : Math.Clamp(TokenBudget / seqLen, 1, 512);
            LayerStream.Run(model, ids, members.Length, seqLen, batch, observer: null, (start, hidden) =>
            {
                using var scope = NewDisposeScope();
                int b = (int)hidden.shape[0];
                var flatIndex = new List<long>();
                var flatTarget = new List<long>();
                var flatOwner = new List<int>();
                for (int m = start; m < start + b; m++)
                    foreach (var q in byRow[members[m]])
                    {
                        int len = inputs[q].Length, c = targets[q].Length;
                        for (int k = 0; k < c; k++)
                        {
                            flatIndex.Add((long)(m - start) * seqLen + len - c + k);
                            flatTarget.Add(targets[q][k]);
                            flatOwner.Add(q);
                        }
                    }
                var h = hidden.reshape(-1, hidden.shape[2]).index_select(0, tensor(flatIndex.ToArray(), ScalarType.Int64).to(hidden.device)); // [N, d]
                var logits = model.Host.Logits(h.unsqueeze(0))[0].to_type(ScalarType.Float32);                                             // [N, V]
                var logp = F.log_softmax(logits, -1);
                var target = tensor(flatTarget.ToArray(), ScalarType.Int64).to(logp.device);
                var picked = logp.gather(1, target.unsqueeze(1)).squeeze(1).to_type(ScalarType.Float64).cpu().data<double>().ToArray();
                var isMax = logits.argmax(-1).eq(target).cpu().data<bool>().ToArray();
                for (int k = 0; k < picked.Length; k++)
                {
                    sums[flatOwner[k]] += picked[k];
                    greedy[flatOwner[k]] &= isMax[k];
                }
                onRequests?.Invoke(Enumerable.Range(start, b).Sum(m => byRow[members[m]].Length));
            }, hiddenBudgetBytes);
        }
        for (int i = 0; i < n; i++)
            if (targets[i].Length > 0) result[i] = new Loglikelihood(sums[i], greedy[i]);
        stats = new LoglikelihoodStats(n, rows.Count, Enumerable.Range(0, n).Count(i => targets[i].Length > 0 && owner[i] != i), buckets.Count, padded, real);
        return result;
    }

    /// <summary>
    /// For each request, the request whose row it is read from: itself, or — when its input is a
    /// prefix of a longer (or equal, earlier) request's input — that request's owner. Lexicographic
    /// order puts every input right before the inputs it is a prefix of.
    /// </summary>
    private static int[] Owners(int[][] inputs, int[][] targets, bool share)
    {
        int n = inputs.Length;
        var owner = Enumerable.Range(0, n).ToArray();
        if (!share) return owner;
        var order = Enumerable.Range(0, n).Where(i => targets[i].Length > 0).ToArray();
        Array.Sort(order, (a, b) => Compare(inputs[a], inputs[b]) is var c && c != 0 ? c : a.CompareTo(b));
        for (int k = order.Length - 2; k >= 0; k--)
        {
            int i = order[k], next = order[k + 1];
            if (IsPrefix(inputs[i], inputs[next])) owner[i] = owner[next];
        }
        return owner;
    }

    private static int Compare(int[] a, int[] b)
    {
        int m = Math.Min(a.Length, b.Length);
        for (int i = 0; i < m; i++)
            if (a[i] != b[i]) return a[i].CompareTo(b[i]);
        return a.Length.CompareTo(b.Length);
    }

    private static bool IsPrefix(int[] a, int[] b) => a.Length <= b.Length && a.AsSpan().SequenceEqual(b.AsSpan(0, a.Length));

    /// <summary>A row's length rounded up to a multiple of max(8, 2^⌊log2 L⌋/4) — at most 25% padding — never past the model's context.</summary>
    public static int PaddedLength(int length, int maxLength)
    {
        int quantum = Math.Max(8, (int)(System.Numerics.BitOperations.RoundUpToPowerOf2((uint)length + 1) / 8));
        int rounded = (length + quantum - 1) / quantum * quantum;
        return Math.Max(length, Math.Min(rounded, maxLength));
    }
}

using System.Globalization;
using System.Text;

namespace Search.Training.Zoo;

/// <summary>
/// results/zoo/README.md: one row per trained zoo model, from its training.json alone, so the file
/// regenerates byte for byte from the same cache.
/// </summary>
public static class ZooReport
{
    public static string Markdown(IReadOnlyList<ZooSummary> models, string regenerate)
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("# The zoo\n\n");
        sb.Append("Small LLaMA-family models trained by PruneSearch's own trainer (`Search.Training`, AdamW β 0.9/0.95, linear\n");
        sb.Append("warmup then cosine decay to 10%, gradient clip 1.0) on shared/'s corpora with stories260K's 512-piece\n");
        sb.Append("SentencePiece tokenizer, so perplexities are per token of the same vocabulary as stories260K's.\n");
        sb.Append("Never trained on TinyStories valid, which the searches score on (valid[search] / valid[test] halves).\n\n");
        sb.Append($"Regenerate: `{regenerate}`\n\n");
        sb.Append("| name | shape (family) | params | heads / KV | layers | d | FFN | tied | train tokens | steps | wall s | CPU s | final train loss | TS train ppl | TS valid ppl | valid[search] | valid[test] |\n");
        sb.Append("|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var m in models)
            sb.Append(c, $"| `zoo:{m.Name}` | {m.Family} | {m.Parameters:N0} | {m.Heads} / {m.KvHeads} | {m.Layers} | {m.HiddenSize} | ")
              .Append(c, $"{m.IntermediateSize} ({m.FfnRatio:F2}×) | {(m.TiedEmbeddings ? "yes" : "no")} | {m.TokensSeen:N0} | {m.Steps} | ")
              .Append(c, $"{m.TrainSeconds:F0} | {m.TrainCpuSeconds:F0} | {m.FinalTrainLoss:F3} | {m.TinyStoriesTrain.Perplexity:F2} | ")
              .Append(c, $"{m.Valid.Perplexity:F2} | {m.Valid.SearchHalfPerplexity:F2} | {m.Valid.TestHalfPerplexity:F2} |\n");

        sb.Append("\nPerplexity protocol: `prunesearch eval`'s defaults, what searches use: one BOS before the split, ");
        sb.Append("non-overlapping windows of 128 tokens, positions 1..127 scored.");
        if (models.Count > 0)
        {
            var m0 = models[0];
            sb.Append(c, $" On TinyStories valid ({m0.Valid.Windows} windows, {m0.Valid.ScoredTokens:N0} scored tokens) a uniform model ");
            sb.Append(c, $"scores {m0.VocabSize} and add-one-smoothed TinyStories-train unigram frequencies {m0.UnigramPerplexity:F2}.\n\n");
            sb.Append("Training mixture (a window is drawn from a corpus with probability ∝ its weight) and epochs per model:\n\n");
            sb.Append("| name | " + string.Join(" | ", m0.Mixture.Select(u => $"{u.Dataset} {u.Split} (weight {u.Weight.ToString(c)}, {u.Tokens.ToString("N0", c)} tokens)")) + " |\n");
            sb.Append("|---|" + string.Concat(m0.Mixture.Select(_ => "---:|")) + "\n");
            foreach (var m in models)
                sb.Append($"| `zoo:{m.Name}` | " + string.Join(" | ", m.Mixture.Select(u => u.Epochs.ToString("F2", c))) + " |\n");
        }
        sb.Append("\nMachine and load while training (1-minute load average at start and end; other agents shared the cores, ");
        sb.Append("so wall times vary with load: CPU s is the process's user + system time):\n\n");
        sb.Append("| name | machine | cores | load | seed | batch × seqlen | tokens/s (wall) | folder |\n|---|---|---:|---|---:|---|---:|---|\n");
        foreach (var m in models)
            sb.Append(c, $"| `zoo:{m.Name}` | {m.Machine} | {m.Cores} | {m.LoadAverageStart:F1} → {m.LoadAverageEnd:F1} | {m.Seed} | ")
              .Append(c, $"{m.BatchSize} × {m.SeqLen} | {m.TokensPerSecond:F0} | `zoo/{m.Hash}` |\n");
        return sb.ToString();
    }
}

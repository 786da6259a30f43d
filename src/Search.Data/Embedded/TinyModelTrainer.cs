using System.Diagnostics;
using Search.Data.Evaluation;
using Search.Model;
using Search.Model.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using Transformer = Search.Model.Transformer;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Search.Data.Embedded;

/// <summary>
/// Trains the embedded LLaMA-architecture model on the synthetic corpus (CPU, AdamW, linear warmup
/// then cosine decay, fixed seeds) and saves it as an HF folder with its <c>tokenizer.model</c>.
/// Untied embeddings: real Llama 1/2 checkpoints are untied, so this exercises the
/// <c>lm_head.weight</c> load/save/prune paths; stories260K already covers tied ones.
/// </summary>
public static class TinyModelTrainer
{
    public static ModelConfig Config(TinyModelRecipe r, int vocabSize) => new()
    {
        ModelType = "llama",
        HiddenSize = r.HiddenSize,
        VocabSize = vocabSize,
        HeadDim = r.HeadDim,
        NumAttentionHeads = r.NumHeads,
        NumKeyValueHeads = r.NumKvHeads,
        IntermediateSize = r.IntermediateSize,
        Layers = Enumerable.Range(0, r.NumLayers)
            .Select(_ => new LayerWidths(r.NumHeads, r.NumKvHeads, r.IntermediateSize, false, false)).ToList(),
        RmsNormEps = 1e-5,
        MaxPositionEmbeddings = Math.Max(2048, r.SeqLen),
        TieWordEmbeddings = false,
        BosTokenId = SyntheticVocabulary.BosId,
        EosTokenId = SyntheticVocabulary.EosId,
    };

    /// <summary>Reads <c>{dataDir}/synthetic/{train,valid}.txt</c>, trains, writes <paramref name="modelDir"/>.</summary>
    public static TrainingSummary TrainAndSave(TinyModelRecipe recipe, string dataDir, string modelDir, Action<string>? log = null)
    {
        var clock = Stopwatch.StartNew();
        torch.set_num_threads(Environment.ProcessorCount);
        var tokenizer = SyntheticTokenizer.Default;
        int[] train = tokenizer.Encode(File.ReadAllText(Path.Combine(dataDir, SyntheticLanguage.Folder, "train.txt")));
        int[] valid = tokenizer.Encode(File.ReadAllText(Path.Combine(dataDir, SyntheticLanguage.Folder, "valid.txt")));
        if (train.Length <= recipe.SeqLen + 1) throw new ArgumentException($"train text has {train.Length} tokens, fewer than one window");
        var config = Config(recipe, tokenizer.VocabSize);

        using var model = InitialModel(config, recipe);
        var parameters = model.NamedTensors().Select(kv => (Parameter)kv.Value).ToList();
        using var optimizer = optim.AdamW(parameters, lr: recipe.PeakLearningRate, beta1: 0.9, beta2: 0.95,
            weight_decay: recipe.WeightDecay);
        log?.Invoke($"embedded model: {model.ParameterCount():N0} parameters, vocab {config.VocabSize}, " +
                    $"{train.Length:N0} train tokens, {recipe.Steps} steps of {recipe.BatchSize}×{recipe.SeqLen}");

        // Batch order comes from our PRNG, on a stream of its own, so it never depends on torch's RNG.
        var batches = SplitMix64.Stream(recipe.Seed, 100);
        double initialLoss = double.NaN;
        var recent = new Queue<double>();
        for (int step = 0; step < recipe.Steps; step++)
        {
            // One scope per step: without it the graph and temporaries of every step stay alive (docs/toolchain.md 5).
            using var scope = NewDisposeScope();
            foreach (var group in optimizer.ParamGroups) group.LearningRate = LearningRate(recipe, step);
            var (x, y) = SampleBatch(train, recipe, batches);
            // A fresh view per step: Transformer caches lm_head transposed on its first Forward, which
            // would freeze the head's value and graph; aliases give each step its own cache and free it.
            using var view = AliasView(model);
            var logits = view.Forward(x);                                                        // [B, T, V]
            var loss = F.cross_entropy(logits.view(-1L, config.VocabSize), y.view(-1L));         // [B·T, V] vs [B·T]
            optimizer.zero_grad();
            loss.backward();
            nn.utils.clip_grad_norm_(parameters, recipe.GradClipNorm);
            optimizer.step();
            double l = loss.item<float>();
            if (step == 0) initialLoss = l;
            recent.Enqueue(l);
            if (recent.Count > 10) recent.Dequeue();
            if (log is not null && (step + 1) % 50 == 0)
                log($"step {step + 1}/{recipe.Steps}: loss {l:F3} ({clock.Elapsed.TotalSeconds:F0} s)");
        }

        using var noGrad = no_grad();
        double validPpl = Perplexity(model, valid, recipe);
        double trainPpl = Perplexity(model, train[..Math.Min(train.Length, valid.Length)], recipe);
        double unigramPpl = UnigramPerplexity(train, valid, config.VocabSize);
        Checkpoint.Save(model, modelDir);
        SentencePieceModelFile.Write(SyntheticVocabulary.Default, Path.Combine(modelDir, SentencePieceModelFile.FileName));
        var summary = new TrainingSummary(recipe.Steps, model.ParameterCount(), train.Length, valid.Length, initialLoss,
            recent.Count == 0 ? double.NaN : recent.Average(), trainPpl, validPpl, unigramPpl, clock.Elapsed.TotalSeconds);
        log?.Invoke($"embedded model: train ppl {trainPpl:F2}, valid ppl {validPpl:F2} (unigram {unigramPpl:F2}), {summary.Seconds:F1} s");
        return summary;
    }

    /// <summary>Leaf parameters (requires_grad) in LLaMA's init: N(0, std) matrices, unit RMSNorm weights.</summary>
    private static Transformer InitialModel(ModelConfig c, TinyModelRecipe r)
    {
        // A private generator: torch.manual_seed would reseed the process-wide RNG under other code (tests run in parallel).
        using var gen = new Generator(r.Seed);
        long d = c.HiddenSize;
        Parameter Normal(params long[] shape)
        {
            using var t = randn(shape, generator: gen);
            return new Parameter(t.mul(r.InitStd)); // the product's handle moves into the Parameter (docs/toolchain.md 5)
        }
        Parameter Ones(long n) => new(ones(n));

        var embedding = Normal(c.VocabSize, d);
        var layers = c.Layers
            .Select(w => DecoderLayerWeights.Create(w, kind => LayerTensors.Shape(kind, w, c) is { } shape
                ? LayerTensors.IsNorm(kind) ? Ones(d) : Normal(shape)
                : null))
            .ToList();
        var norm = Ones(d);
        var lmHead = Normal(c.VocabSize, d);
        return new Transformer(c, embedding, norm, lmHead, layers);
    }

    /// <summary>A Transformer over aliases of <paramref name="m"/>'s tensors: gradients reach the parameters, Dispose frees only the aliases and caches.</summary>
    private static Transformer AliasView(Transformer m)
    {
        var layers = m.Layers.Select(l => l.Alias()).ToList();
        return new Transformer(m.Config, m.Embedding.alias(), m.FinalNorm.alias(), m.LmHead.alias(), layers);
    }

    /// <summary>Linear warmup to the peak, then cosine decay to FinalLearningRateFraction × peak.</summary>
    public static double LearningRate(TinyModelRecipe r, int step)
    {
        if (step < r.WarmupSteps) return r.PeakLearningRate * (step + 1) / r.WarmupSteps;
        double progress = (double)(step - r.WarmupSteps) / Math.Max(1, r.Steps - r.WarmupSteps);
        double cosine = 0.5 * (1 + Math.Cos(Math.PI * progress));
        return r.PeakLearningRate * (r.FinalLearningRateFraction + (1 - r.FinalLearningRateFraction) * cosine);
    }

    /// <summary>Random windows: inputs BOS + tokens[s..s+T−1), targets tokens[s..s+T) — as evaluation scores BOS-prefixed windows.</summary>
    private static (Tensor X, Tensor Y) SampleBatch(int[] tokens, TinyModelRecipe r, SplitMix64 rng)
    {
        int b = r.BatchSize, t = r.SeqLen;
        var x = new long[b * t];
        var y = new long[b * t];
        for (int row = 0; row < b; row++)
        {
            int start = rng.NextInt(tokens.Length - t + 1);
            x[row * t] = SyntheticVocabulary.BosId;
            for (int j = 0; j < t; j++)
            {
                y[row * t + j] = tokens[start + j];
                if (j + 1 < t) x[row * t + j + 1] = tokens[start + j];
            }
        }
        return (tensor(x, [b, t]), tensor(y, [b, t])); // [B, T] each
    }

    /// <summary>
    /// Perplexity over consecutive windows of SeqLen tokens, each preceded by BOS (as training sees
    /// them): every token of <paramref name="tokens"/> is predicted once. The caller holds no_grad.
    /// </summary>
    public static double Perplexity(Transformer model, int[] tokens, TinyModelRecipe r)
    {
        var windows = Enumerable.Range(0, (tokens.Length + r.SeqLen - 1) / r.SeqLen).Select(w =>
            tokens.AsSpan(w * r.SeqLen, Math.Min(r.SeqLen, tokens.Length - w * r.SeqLen)).ToArray()
                .Select(id => (long)id).Prepend(SyntheticVocabulary.BosId).ToArray());
        return PerplexityEvaluator.NllSumOfSequences(model, windows).Perplexity;
    }

    /// <summary>Add-one-smoothed unigram model of the train tokens, scored on <paramref name="eval"/>.</summary>
    public static double UnigramPerplexity(int[] train, int[] eval, int vocabSize)
    {
        var counts = new long[vocabSize];
        foreach (int id in train) counts[id]++;
        double total = train.Length + vocabSize;
        double nll = 0;
        foreach (int id in eval) nll -= Math.Log((counts[id] + 1) / total);
        return Math.Exp(nll / eval.Length);
    }
}

using System.Diagnostics;
using Search.Data.Evaluation;
using Search.Model;
using Search.Model.Checkpoints;
using Transformer = Search.Model.Transformer;
using static TorchSharp.torch;

namespace Search.Training.Embedded;

/// <summary>
/// Trains the embedded LLaMA-architecture model on the synthetic corpus with <see cref="LlamaTrainer"/>
/// (BOS-prefixed windows, fixed seeds) and saves it as an HF folder with its <c>tokenizer.model</c>.
/// Untied embeddings: real Llama 1/2 checkpoints are untied, so this exercises the
/// <c>lm_head.weight</c> load/save/prune paths; stories260K already covers tied ones.
/// </summary>
public static class TinyModelTrainer
{
    public static ModelConfig Config(TinyModelRecipe r, int vocabSize) => LlamaTrainer.DenseConfig(r.HiddenSize, r.NumLayers,
        r.NumHeads, r.NumKvHeads, r.HeadDim, r.IntermediateSize, vocabSize, tied: false, maxPositions: Math.Max(2048, r.SeqLen),
        SyntheticVocabulary.BosId, SyntheticVocabulary.EosId);

    /// <summary>Reads <c>{dataDir}/synthetic/{train,valid}.txt</c>, trains, writes <paramref name="modelDir"/>.</summary>
    public static TrainingSummary TrainAndSave(TinyModelRecipe recipe, string dataDir, string modelDir, Action<string>? log = null)
    {
        var clock = Stopwatch.StartNew();
        var tokenizer = SyntheticTokenizer.Default;
        int[] train = tokenizer.Encode(File.ReadAllText(Path.Combine(dataDir, SyntheticLanguage.Folder, "train.txt")));
        int[] valid = tokenizer.Encode(File.ReadAllText(Path.Combine(dataDir, SyntheticLanguage.Folder, "valid.txt")));
        if (train.Length <= recipe.SeqLen + 1) throw new ArgumentException($"train text has {train.Length} tokens, fewer than one window");
        var config = Config(recipe, tokenizer.VocabSize);
        var schedule = Schedule(recipe);
        log?.Invoke($"embedded model: {config.ParameterCount():N0} parameters, vocab {config.VocabSize}, " +
                    $"{train.Length:N0} train tokens, {recipe.Steps} steps of {recipe.BatchSize}×{recipe.SeqLen}");

        // Batch order comes from our PRNG, on a stream of its own, so it never depends on torch's RNG.
        var batches = SplitMix64.Stream(recipe.Seed, 100);
        using var trained = LlamaTrainer.Train(config, recipe.InitStd, recipe.Seed, schedule,
            _ => TrainingWindows.BosPrefixed(train, SyntheticVocabulary.BosId, recipe.BatchSize, recipe.SeqLen, batches),
            log is null ? null : msg => log($"embedded model: {msg}"));
        var model = trained.Model;

        using var noGrad = no_grad();
        double validPpl = Perplexity(model, valid, recipe);
        double trainPpl = Perplexity(model, train[..Math.Min(train.Length, valid.Length)], recipe);
        double unigramPpl = UnigramBaseline.Perplexity(train, valid, config.VocabSize);
        Checkpoint.Save(model, modelDir);
        SentencePieceModelFile.Write(SyntheticVocabulary.Default, Path.Combine(modelDir, SentencePieceModelFile.FileName));
        var summary = new TrainingSummary(recipe.Steps, model.ParameterCount(), train.Length, valid.Length, trained.InitialLoss,
            trained.FinalLoss, trainPpl, validPpl, unigramPpl, clock.Elapsed.TotalSeconds);
        log?.Invoke($"embedded model: train ppl {trainPpl:F2}, valid ppl {validPpl:F2} (unigram {unigramPpl:F2}), {summary.Seconds:F1} s");
        return summary;
    }

    /// <summary>The recipe's optimizer settings.</summary>
    public static TrainingSchedule Schedule(TinyModelRecipe r) => new(r.Steps, r.BatchSize, r.SeqLen, r.WarmupSteps,
        r.PeakLearningRate, r.FinalLearningRateFraction, r.WeightDecay, r.GradClipNorm);

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
}

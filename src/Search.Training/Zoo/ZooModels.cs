using System.Diagnostics;
using System.Text.Json;
using Search.Data;
using Search.Data.Evaluation;
using Search.Model;
using Search.Model.Checkpoints;
using Search.Model.Speed;
using Search.Model.Tokenizers;
using static TorchSharp.torch;

namespace Search.Training.Zoo;

/// <summary>A zoo model's folder (an HF folder with tokenizer.model, training.json and recipe.json) and how it was trained.</summary>
/// <param name="Built">True when this call trained it, false on a cache hit.</param>
public sealed record ZooModel(string Dir, ZooSummary Summary, bool Built);

/// <summary>A catalog entry as the cache holds it: <see cref="Summary"/> is null until the model has been trained.</summary>
public sealed record ZooEntry(ZooRecipe Recipe, long Parameters, string Dir, ZooSummary? Summary);

/// <summary>
/// Trains zoo models into the cache (<c>$PRUNESEARCH_CACHE_DIR/zoo/NAME-vV-HASH/</c>, content-addressed by
/// recipe and training data) once, across processes (<see cref="CachedBuild"/>), and reads them back.
/// </summary>
public static class ZooModels
{
    public const string Folder = "zoo";
    public const string RecipeFile = "recipe.json";

    /// <summary>Protocol of the recorded perplexities: <c>prunesearch eval</c>'s defaults, what searches use.</summary>
    public const int EvalSeqLen = 128;

    /// <summary>The cache folder of <paramref name="recipe"/> over data with <paramref name="dataFingerprint"/> (exists only once complete).</summary>
    public static string FolderFor(string cacheRoot, ZooRecipe recipe, string dataFingerprint) =>
        Path.Combine(Path.GetFullPath(cacheRoot), Folder, FolderName(recipe, dataFingerprint));

    /// <summary><c>NAME-vVERSION-HASH</c>: what training.json records as the model's identity.</summary>
    public static string FolderName(ZooRecipe recipe, string dataFingerprint) =>
        $"{recipe.Name}-v{ZooRecipe.Version}-{recipe.Hash(dataFingerprint)}";

    /// <summary>
    /// The trained model of <paramref name="recipe"/>, training it first when the cache lacks it.
    /// <paramref name="dataDir"/>: a folder laid out like shared/data (default: <see cref="DataDirectory"/>'s lookup).
    /// </summary>
    public static ZooModel Ensure(ZooRecipe recipe, string? cacheRoot = null, string? dataDir = null, Action<string>? log = null)
    {
        if (recipe.Problem() is { } problem) throw new UserInputException(problem);
        var corpus = ZooCorpus.Locate(dataDir);
        string dir = FolderFor(cacheRoot ?? CacheFolders.Root(), recipe, corpus.Fingerprint(recipe.Mixture));
        bool built = CachedBuild.Ensure(dir, temp =>
        {
            log?.Invoke($"training zoo model {recipe.Name} into {dir} (once per recipe and data)");
            Train(recipe, corpus, temp, log);
        }, log);
        return new ZooModel(dir, ZooSummary.Read(dir), built);
    }

    /// <summary>Every catalog model with its parameter count and cache folder, and its training summary where it is trained.</summary>
    public static IReadOnlyList<ZooEntry> List(string? cacheRoot = null, string? dataDir = null)
    {
        var corpus = ZooCorpus.Locate(dataDir);
        var tokenizer = corpus.LoadTokenizer();
        return ZooCatalog.All.Select(r =>
        {
            string dir = FolderFor(cacheRoot ?? CacheFolders.Root(), r, corpus.Fingerprint(r.Mixture));
            return new ZooEntry(r, r.Config(tokenizer.VocabSize, tokenizer.BosId, tokenizer.EosId).ParameterCount(), dir,
                Directory.Exists(dir) ? ZooSummary.Read(dir) : null);
        }).ToList();
    }

    /// <summary>Refuses a copy target that holds files (checked before training, so nothing is trained in vain).</summary>
    public static void RequireEmptyTarget(string outDir)
    {
        if (!IsEmptyTarget(outDir)) throw new UserInputException($"copy target {outDir} exists and is not empty");
    }

    /// <summary>Whether <paramref name="outDir"/> can take a copy: it does not exist, or is an empty folder.</summary>
    public static bool IsEmptyTarget(string outDir) =>
        !File.Exists(outDir) && !(Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any());

    /// <summary>Copies a trained model's folder to <paramref name="outDir"/> (which must not exist, or be empty).</summary>
    public static void CopyTo(ZooModel model, string outDir)
    {
        RequireEmptyTarget(outDir);
        Directory.CreateDirectory(outDir);
        foreach (var file in Directory.GetFiles(model.Dir))
            File.Copy(file, Path.Combine(outDir, Path.GetFileName(file)));
    }

    /// <summary>Trains <paramref name="recipe"/> on <paramref name="corpus"/>, writes the model folder, scores what it wrote.</summary>
    public static ZooSummary Train(ZooRecipe recipe, ZooCorpus corpus, string outDir, Action<string>? log = null)
    {
        double loadStart = MachineInfo.LoadAverage();
        var tokenizer = corpus.LoadTokenizer();
        var cache = TokenCache.OpenDefault();
        var streams = recipe.Mixture.Select(s => corpus.Stream(s, tokenizer, cache)).ToList();
        foreach (var (s, i) in recipe.Mixture.Select((s, i) => (s, i)))
            if (streams[i].Length <= recipe.Schedule.SeqLen + 1)
                throw new UserInputException($"zoo model {recipe.Name}: {s.Dataset} {s.Split} has {streams[i].Length} tokens, fewer than one window of {recipe.Schedule.SeqLen}");
        var config = recipe.Config(tokenizer.VocabSize, tokenizer.BosId, tokenizer.EosId);
        var schedule = recipe.Schedule;
        log?.Invoke($"{recipe.Name}: {config.ParameterCount():N0} parameters, {recipe.NumLayers} layers, d {recipe.HiddenSize}, " +
                    $"{recipe.NumHeads}/{recipe.NumKvHeads} heads, FFN {recipe.IntermediateSize}, tied {recipe.TiedEmbeddings}; " +
                    $"{schedule.Steps} steps of {schedule.BatchSize}×{schedule.SeqLen} = {schedule.TokensSeen:N0} tokens");

        var batches = SplitMix64.Stream(recipe.Seed, 100);
        var weights = recipe.Mixture.Select(s => s.Weight).ToList();
        TrainedModel trained;
        using (trained = LlamaTrainer.Train(config, recipe.InitStd, recipe.Seed, schedule,
                   _ => TrainingWindows.FromStreams(streams, weights, schedule.BatchSize, schedule.SeqLen, batches),
                   log is null ? null : msg => log($"{recipe.Name}: {msg}"), logEvery: 100))
        {
            Checkpoint.Save(trained.Model, outDir);
        }
        File.Copy(corpus.TokenizerPath, Path.Combine(outDir, TokenizerLoader.SentencePieceFileName));
        File.WriteAllText(Path.Combine(outDir, RecipeFile), JsonSerializer.Serialize(recipe, ZooSummary.Json) + "\n");

        // Scored from the files just written, as `prunesearch eval --model zoo:NAME` would load them.
        using var loaded = ModelLocator.LoadFolder(outDir, ScalarType.Float32, CPU, WeightResidency.Resident);
        var trainSource = corpus.Resolve(new ZooSource(ZooCorpus.Evaluation.Dataset, "train", 1));
        var valid = Score(loaded, corpus.EvaluationSource(), cache);
        var train = Score(loaded, trainSource, cache);
        double unigram = UnigramBaseline.Perplexity(CorpusTokens.Load(trainSource, loaded.Tokenizer, cache),
            CorpusTokens.Load(corpus.EvaluationSource(), loaded.Tokenizer, cache), config.VocabSize);

        var mixture = recipe.Mixture.Select((s, i) => new MixtureUse(s.Dataset, s.Split, s.Weight, streams[i].Length,
            schedule.TokensSeen * (s.Weight / weights.Sum()) / streams[i].Length)).ToList();
        var summary = new ZooSummary(recipe.Name, recipe.Family, FolderName(recipe, corpus.Fingerprint(recipe.Mixture)), config.ParameterCount(),
            recipe.HiddenSize, recipe.NumLayers, recipe.NumHeads, recipe.NumKvHeads, recipe.HeadDim, recipe.IntermediateSize,
            Math.Round((double)recipe.IntermediateSize / recipe.HiddenSize, 3), recipe.TiedEmbeddings, config.VocabSize, recipe.Seed,
            schedule.Steps, schedule.BatchSize, schedule.SeqLen, schedule.TokensSeen, mixture,
            trained.Seconds, trained.CpuSeconds, schedule.TokensSeen / trained.Seconds, trained.InitialLoss, trained.FinalLoss, train, valid, unigram,
            MachineInfo.Current().CpuModel, Environment.ProcessorCount, loadStart, MachineInfo.LoadAverage(), trained.Curve);
        summary.Write(outDir);
        log?.Invoke($"{recipe.Name}: {trained.Seconds:F0} s, final train loss {trained.FinalLoss:F3}, TinyStories valid ppl " +
                    $"{valid.Perplexity:F2} (train {train.Perplexity:F2}, unigram {unigram:F2}, uniform {config.VocabSize})");
        return summary;
    }

    /// <summary>Perplexity on a whole split and on its two halves by window, with the searches' evaluator.</summary>
    public static EvalScore Score(LoadedModel model, CorpusSource source, TokenCache? cache)
    {
        var w = CorpusTokens.EvalWindowsOf(source, model.Tokenizer, cache, BosMode.Corpus, EvalSeqLen);
        int half = w.Count / 2;
        NllTotal Part(int first, int count) =>
            PerplexityEvaluator.NllSum(model.Model, w.Ids[(first * w.SeqLen)..((first + count) * w.SeqLen)], count, w.SeqLen);
        var search = Part(0, half);
        var test = Part(half, w.Count - half);
        var all = search + test;
        return new EvalScore(source.Dataset, source.Split, w.SeqLen, BosModes.Name(BosMode.Corpus), w.Count, all.Tokens,
            all.Mean, all.Perplexity, search.Perplexity, test.Perplexity);
    }
}

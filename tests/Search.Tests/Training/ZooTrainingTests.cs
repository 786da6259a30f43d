using System.Diagnostics;
using Search.Data;
using Search.Tests.Cli;
using Search.Model;
using Search.Model.Checkpoints;
using Search.Model.Tokenizers;
using Search.Training.Zoo;
using static TorchSharp.torch;

namespace Search.Tests.Training;

/// <summary>
/// The zoo on the real corpora. CI trains only the smallest model in full (a few CPU-minutes); the
/// determinism check uses a few steps of the same recipe. One class, so the trainings run one after another.
/// </summary>
public sealed class ZooTrainingTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("zoo-cache-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static ZooRecipe Smallest => ZooCatalog.All.MinBy(r => r.Config(512, 1, 2).ParameterCount())!;

    [SharedFact]
    public void Given_the_smallest_zoo_model_When_trained_Then_its_loss_falls_it_beats_a_unigram_model_by_far_and_a_second_ensure_is_a_cache_hit()
    {
        var model = ZooModels.Ensure(Smallest, root, SharedAssets.DataDirectory);
        var s = model.Summary;
        Assert.True(model.Built);
        Assert.InRange(s.InitialLoss, Math.Log(512) - 0.5, Math.Log(512) + 0.5); // ≈ uniform over tok512 at init
        Assert.True(s.FinalTrainLoss < s.InitialLoss - 2.0, $"train loss {s.InitialLoss:F3} → {s.FinalTrainLoss:F3}");
        Assert.True(s.Curve[^1].Loss < s.Curve[0].Loss, "the logged loss did not fall");

        // The yardstick, computed here: add-one-smoothed unigram frequencies of TinyStories train (tok512) scored on valid.
        var tokenizer = TokenizerLoader.LoadSentencePiece(SharedAssets.Require("models", "stories260K", "tokenizer.model"));
        var catalog = new DatasetCatalog(SharedAssets.DataDirectory);
        int[] train = tokenizer.Encode(catalog.ReadText("tinystories", "train"));
        int[] valid = tokenizer.Encode(catalog.ReadText("tinystories", "valid"));
        var counts = new double[tokenizer.VocabSize];
        foreach (int id in train) counts[id]++;
        double unigram = Math.Exp(-valid.Average(id => Math.Log((counts[id] + 1) / (train.Length + tokenizer.VocabSize))));
        Assert.InRange(unigram, 50, 400);
        Assert.True(s.Valid.Perplexity < unigram / 2, $"TinyStories valid ppl {s.Valid.Perplexity:F2} vs unigram {unigram:F2}");

        // `--model zoo:NAME` finds it in the cache (no training) and scores what training.json states, with eval's defaults.
        var eval = CliRun.With(CliRunner.RepoRoot, new Dictionary<string, string> { [CacheFolders.EnvironmentVariable] = root },
            "eval", "--model", "zoo:" + Smallest.Name, "--dataset", "tinystories", "--split", "valid", "--json");
        var json = eval.Json();
        Assert.Equal(s.Valid.Perplexity, json.GetProperty("ppl").GetDouble(), 9);
        Assert.Equal(model.Dir, json.GetProperty("model").GetString());
        using (var loaded = ModelLocator.LoadFolder(model.Dir, ScalarType.Float32, CPU))
        {
            Assert.Equal(Smallest.TiedEmbeddings, loaded.Model.Config.TieWordEmbeddings);
            Assert.Equal(Smallest.NumLayers, loaded.Model.Config.NumLayers);
            Assert.Equal(Smallest.NumKvHeads, loaded.Model.Config.NumKeyValueHeads);
        }
        Assert.Equal(File.ReadAllBytes(SharedAssets.Require("models", "stories260K", "tokenizer.model")),
            File.ReadAllBytes(Path.Combine(model.Dir, "tokenizer.model")));

        var weights = Path.Combine(model.Dir, "model.safetensors");
        var written = File.GetLastWriteTimeUtc(weights);
        var clock = Stopwatch.StartNew();
        var again = ZooModels.Ensure(Smallest, root, SharedAssets.DataDirectory);
        Assert.False(again.Built);
        Assert.Equal(model.Dir, again.Dir);
        Assert.Equal(s.Valid.Perplexity, again.Summary.Valid.Perplexity);
        Assert.Equal(written, File.GetLastWriteTimeUtc(weights));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"a cache hit took {clock.Elapsed.TotalSeconds:F1} s");
    }

    [SharedFact]
    public void Given_one_seed_When_trained_twice_Then_the_weights_are_bit_identical_and_another_seed_differs()
    {
        var quick = Smallest with { Schedule = Smallest.Schedule with { Steps = 6, WarmupSteps = 2 } };
        var a = ZooModels.Ensure(quick, Path.Combine(root, "a"), SharedAssets.DataDirectory);
        var b = ZooModels.Ensure(quick, Path.Combine(root, "b"), SharedAssets.DataDirectory);
        var other = ZooModels.Ensure(quick with { Seed = 1 }, Path.Combine(root, "a"), SharedAssets.DataDirectory);

        Assert.Equal(Path.GetFileName(a.Dir), Path.GetFileName(b.Dir)); // content-addressed: same recipe and data, same name
        Assert.NotEqual(Path.GetFileName(a.Dir), Path.GetFileName(other.Dir));
        byte[] Weights(ZooModel m) => File.ReadAllBytes(Path.Combine(m.Dir, "model.safetensors"));
        Assert.Equal(Weights(a), Weights(b));
        Assert.NotEqual(Weights(a), Weights(other));
        Assert.Equal(a.Summary.FinalTrainLoss, b.Summary.FinalTrainLoss);
    }

    [SharedFact]
    public void Given_a_mixture_with_TinyStories_valid_When_training_Then_it_is_refused_before_any_training()
    {
        var leaky = Smallest with { Mixture = [new("tinystories", "train", 1), new("tinystories", "validation", 0.1)] };
        var e = Assert.Throws<UserInputException>(() => ZooModels.Ensure(leaky, root, SharedAssets.DataDirectory));
        Assert.Contains("tinystories valid", e.Message);
        Assert.False(Directory.Exists(Path.Combine(root, ZooModels.Folder)) &&
                     Directory.GetDirectories(Path.Combine(root, ZooModels.Folder)).Length > 0);
    }

    [Fact]
    public void Given_the_catalog_Then_its_shapes_differ_the_way_real_families_do()
    {
        var all = ZooCatalog.All;
        Assert.True(all.Count >= 4);
        Assert.Equal(all.Count, all.Select(r => r.Name).Distinct().Count());
        Assert.All(all, r => Assert.Null(r.Problem()));
        Assert.Contains(all, r => r.NumKvHeads == r.NumHeads);               // MHA
        Assert.Contains(all, r => r.NumKvHeads < r.NumHeads);                // GQA
        Assert.Contains(all, r => r.NumLayers <= 5);
        Assert.Contains(all, r => r.NumLayers >= 12);
        Assert.Contains(all, r => r.IntermediateSize < 3 * r.HiddenSize);    // LLaMA's ≈ 8/3
        Assert.Contains(all, r => r.IntermediateSize >= 4 * r.HiddenSize);   // wide
        Assert.Contains(all, r => r.TiedEmbeddings);
        Assert.Contains(all, r => !r.TiedEmbeddings);
        var sizes = all.Select(r => r.Config(512, 1, 2).ParameterCount()).ToList();
        Assert.InRange(sizes.Min(), 200_000, 400_000);
        Assert.InRange(sizes.Max(), 2_000_000, 8_000_000);
        Assert.All(all, r => Assert.DoesNotContain(r.Mixture, m => m.Dataset == "tinystories" && m.Split is "valid" or "validation"));
    }
}

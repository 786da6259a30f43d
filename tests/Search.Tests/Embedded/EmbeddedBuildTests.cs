using System.Diagnostics;
using System.Text.Json;
using Search.Model.Checkpoints;
using Search.Training.Embedded;
using static TorchSharp.torch;

namespace Search.Tests.Embedded;

/// <summary>
/// Builds with a reduced recipe (the full one takes longer than a unit test should). One class, so
/// xunit runs these one after another rather than two trainings fighting over the cores.
/// </summary>
public sealed class EmbeddedBuildTests
{
    /// <summary>Same shapes as the default, far fewer steps and a smaller corpus.</summary>
    internal static readonly TinyModelRecipe Quick = TinyModelRecipe.Default with
    {
        TrainChars = 60_000, ValidChars = 8_000, TestChars = 4_000, Steps = 30, WarmupSteps = 5, BatchSize = 8,
    };

    private static string TempRoot() => Path.Combine(Path.GetTempPath(), "emb-cache-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Given_a_reduced_recipe_When_built_twice_Then_the_model_loads_runs_learns_and_is_bit_identical()
    {
        string rootA = TempRoot(), rootB = TempRoot();
        try
        {
            var a = EmbeddedDefault.Ensure(rootA, recipe: Quick);
            var b = EmbeddedDefault.Ensure(rootB, recipe: Quick);

            foreach (var file in new[] { "model.safetensors", "config.json", "tokenizer.model" })
                Assert.True(File.ReadAllBytes(Path.Combine(a.ModelDir, file)).AsSpan()
                    .SequenceEqual(File.ReadAllBytes(Path.Combine(b.ModelDir, file))), $"{file} differs between two builds");
            foreach (var split in SyntheticLanguage.Splits)
                Assert.Equal(File.ReadAllText(Path.Combine(a.DataDir, "synthetic", split + ".txt")),
                    File.ReadAllText(Path.Combine(b.DataDir, "synthetic", split + ".txt")));

            var summary = JsonSerializer.Deserialize<TrainingSummary>(
                File.ReadAllText(Path.Combine(Path.GetDirectoryName(a.ModelDir)!, EmbeddedDefault.SummaryFile)))!;
            Assert.True(summary.FinalLoss < summary.InitialLoss - 1.0, $"loss {summary.InitialLoss:F3} → {summary.FinalLoss:F3}");
            Assert.InRange(summary.InitialLoss, 6.5, 8.5); // ≈ ln(vocab) at init

            using var noGrad = no_grad();
            using var model = Checkpoint.Load(a.ModelDir);
            Assert.Equal(SyntheticTokenizer.Default.VocabSize, model.Config.VocabSize);
            Assert.Equal(8, model.Config.NumAttentionHeads);
            Assert.Equal(4, model.Config.NumKeyValueHeads);
            Assert.False(model.Config.TieWordEmbeddings);
            var ids = SyntheticTokenizer.Default.Encode("Once upon a time, there was a little cat named Tom.");
            using var input = tensor(ids.Select(i => (long)i).Prepend(1L).ToArray(), [1, ids.Length + 1]);
            using var logits = model.Forward(input);
            Assert.Equal(new long[] { 1, ids.Length + 1, model.Config.VocabSize }, logits.shape);
            Assert.True(logits.isfinite().all().item<bool>());
        }
        finally
        {
            foreach (var r in new[] { rootA, rootB }) if (Directory.Exists(r)) Directory.Delete(r, recursive: true);
        }
    }

    [Fact]
    public void Given_a_built_cache_When_ensuring_again_Then_it_returns_at_once_without_rebuilding()
    {
        string root = TempRoot();
        var tiny = Quick with { Steps = 2, TrainChars = 20_000 };
        try
        {
            var logs = new List<string>();
            var first = EmbeddedDefault.Ensure(root, logs.Add, tiny);
            Assert.NotEmpty(logs);
            logs.Clear();
            var clock = Stopwatch.StartNew();
            var second = EmbeddedDefault.Ensure(root, logs.Add, tiny);
            Assert.True(clock.ElapsedMilliseconds < 1000, $"second Ensure took {clock.ElapsedMilliseconds} ms");
            Assert.Empty(logs);
            Assert.Equal(first, second);
            Assert.Contains(tiny.Hash(), first.ModelDir);
            Assert.NotEqual(first.ModelDir, EmbeddedDefault.Ensure(root, null, tiny with { Steps = 3 }).ModelDir);
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Given_two_concurrent_builders_When_racing_for_the_same_recipe_Then_both_get_one_complete_folder()
    {
        string root = TempRoot();
        var tiny = Quick with { Steps = 2, TrainChars = 20_000 };
        try
        {
            var results = await Task.WhenAll(
                Task.Run(() => EmbeddedDefault.Ensure(root, null, tiny)),
                Task.Run(() => EmbeddedDefault.Ensure(root, null, tiny)));
            Assert.Equal(results[0], results[1]);
            Assert.Single(Directory.GetDirectories(root)); // no leftover temp folder
            using var model = Checkpoint.Load(results[0].ModelDir);
            Assert.True(File.Exists(Path.Combine(results[0].ModelDir, "tokenizer.model")));
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The full recipe, run on demand (PRUNESEARCH_TEST_FULL_EMBEDDED=1): prints timing and perplexities.</summary>
    [Fact]
    public void Given_the_full_recipe_When_built_Then_validation_perplexity_is_far_below_unigram()
    {
        if (Environment.GetEnvironmentVariable("PRUNESEARCH_TEST_FULL_EMBEDDED") != "1") return;
        string root = TempRoot();
        try
        {
            var logs = new List<string>();
            var assets = EmbeddedDefault.Ensure(root, logs.Add);
            var summary = JsonSerializer.Deserialize<TrainingSummary>(
                File.ReadAllText(Path.Combine(Path.GetDirectoryName(assets.ModelDir)!, EmbeddedDefault.SummaryFile)))!;
            File.WriteAllText(Path.Combine(Path.GetTempPath(), "emb-full-summary.json"),
                JsonSerializer.Serialize(summary) + "\n" + string.Join("\n", logs));
            Assert.True(summary.ValidPerplexity < summary.UnigramPerplexity / 4,
                $"valid ppl {summary.ValidPerplexity:F2} vs unigram {summary.UnigramPerplexity:F2}");
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }
}

using Search.Application.Export;
using Search.Application.Prune;
using Search.Data;
using Search.Data.Evaluation;
using Search.Model;
using Search.Model.Checkpoints;
using Search.Model.Export;
using Search.Pruning.Allocation;
using Search.Pruning.Metrics;
using Search.Pruning.Pipeline;
using Search.Pruning.Statistics;
using Search.Pruning.Surgery;
using Search.Tests.Pruning;
using Search.Training;
using Search.Training.Embedded;
using static TorchSharp.torch;

namespace Search.Tests.Application;

/// <summary><c>prune</c>'s use case as a library call, on the embedded model with a throwaway statistics cache.</summary>
[Collection(PruningCollection.Name)]
public sealed class PruneOnceTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("prunesearch-prune-once-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private PruneOnceRequest Request(string? outPath = null, string? model = null) => new(
        model ?? EmbeddedDefault.Ensure().ModelDir,
        new PruningRecipe(MetricMixture.Single(ImportanceMetric.Wifv), AllocationSpec.Parse("al-am-exact", 0.2, null), Compensation.FlapBias),
        PoolSpec.Parse("synthetic:train:16x64:seed0"), EvalSpec.Parse("synthetic:valid:64:8"), StatisticsMode.Pooled,
        new ExportTarget(ExportFormat.Hf, GgufFileType.F32, null), outPath, Path.Combine(dir, "stats"), null,
        CPU, ScalarType.Float32, WeightResidency.Resident, Threads: 2);

    [Fact]
    public void Given_the_embedded_model_When_pruned_once_and_written_Then_the_report_holds_the_budget_and_the_reload_scores_the_pruned_ppl()
    {
        var first = PruneOnce.Run(Request(outPath: Path.Combine(dir, "pruned")), log: null);

        Assert.Equal(0.2, first.AchievedRatio, 2);
        Assert.True(first.DensePpl < first.PrunedPpl && double.IsFinite(first.PrunedPpl), $"dense {first.DensePpl}, pruned {first.PrunedPpl}");
        Assert.Null(first.Error);
        Assert.False(first.StatsFromCache);
        Assert.Equal(Path.Combine(dir, "pruned"), first.Out);
        Assert.Contains(first.Layers, l => l.ChannelsAfter < l.ChannelsBefore);

        using (NewDisposeScope())
        {
            using var reloaded = ModelSources.Load(first.Out!, ScalarType.Float32, CPU);
            var eval = CorpusTokens.EvalWindowsOf(ModelSources.ResolveDataset("synthetic", "valid", null), reloaded.Tokenizer, null, BosMode.Corpus, 64, 8);
            Assert.Equal(first.PrunedPpl, PerplexityEvaluator.NllSum(reloaded.Model, eval.Ids, eval.Count, eval.SeqLen).Perplexity);
        }

        var second = PruneOnce.Run(Request(), log: null);
        Assert.True(second.StatsFromCache);
        Assert.Equal(first.PrunedPpl, second.PrunedPpl);
    }

    [Fact]
    public void Given_the_dense_models_own_folder_as_output_When_pruned_Then_one_line_refuses_before_anything_is_written()
    {
        string copy = Path.Combine(dir, "dense");
        Directory.CreateDirectory(copy);
        foreach (var f in Directory.GetFiles(EmbeddedDefault.Ensure().ModelDir)) File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
        var before = File.ReadAllBytes(Path.Combine(copy, "model.safetensors"));

        var e = Assert.Throws<UserInputException>(() => PruneOnce.Run(Request(outPath: copy, model: copy), log: null));
        Assert.StartsWith($"{copy}: the output must not be the dense model's folder", e.Message);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(copy, "model.safetensors")));
    }
}

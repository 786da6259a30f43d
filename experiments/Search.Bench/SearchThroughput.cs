using Search.Model.Shapes;
using System.Diagnostics;
using Search.Data;
using Search.Training;
using Search.Objective;
using Search.Records;
using Search.Model;
using Search.Model.Checkpoints;
using Search.Model.Tokenizers;
using Search.Optimization;
using Search.Optimization.Samplers;
using Search.Optimization.Spaces;
using Search.Optimization.Storage;
using Search.Optimization.Trials;

namespace Search.Bench;

/// <summary>
/// Trials per hour of a GP search (search-spaces/quick.json, synthetic corpus, proxy 32×128 windows)
/// and the share of trial time spent outside model forward passes (sampler, storage, statistics
/// aggregation, scoring, surgery). The one-off calibration pool pass is reported separately.
/// </summary>
public static class SearchThroughput
{
    public static void Run(string? shared, int trials, string repoRoot)
    {
        Console.WriteLine($"# search throughput: GP sampler, {trials} trials (4 baselines + {trials - 4} searched), quick.json, " +
                          $"proxy 32x128 windows, {TorchSharp.torch.get_num_threads()} threads");
        Console.WriteLine("| model | params | first pool pass s | trials/hour | s/trial | eval forward | new calibration pools (forward) | outside forward passes |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        Measure("embedded default", ModelSources.Load(ModelSources.Embedded, TorchSharp.torch.ScalarType.Float32, TorchSharp.torch.CPU), trials, repoRoot);
        if (shared is null) return;
        Measure("stories260K", ModelSources.Load(Path.Combine(shared, "models", "stories260K"), TorchSharp.torch.ScalarType.Float32, TorchSharp.torch.CPU), trials, repoRoot);
        var tokDir = Path.Combine(shared, "tokenizers", "llama2-32k");
        var random15M = new LoadedModel("random:stories15M", RandomTransformer.Create(ModelShapes.Find("stories15m").Config(), seed: 0),
            TokenizerLoader.Load(tokDir), "random-stories15M");
        Measure("stories15M shape (random)", random15M, trials, repoRoot);
    }

    private static void Measure(string name, LoadedModel model, int trials, string repoRoot)
    {
        var settings = new ObjectiveSettings(0.2, ModelSources.SyntheticDataset, 128, "corpus", 32, 0, 128);
        var space = SearchSpace.Load(Path.Combine(repoRoot, "search-spaces", "quick.json"))
            .BindLayerCount(model.Model.Config.NumLayers).WithLayerRatioTarget(0.2);
        using var setup = SearchSetup.Create(model, settings, null, space, null);
        using var storage = new InMemoryStorage();
        var record = new StudyRecord("bench", model.Dir, model.Hash, space.SourceJson, space.LayerCount, "gp", 0, "bench", "bench");
        var study = Study.CreateOrResume(storage, record, space, SamplerFactory.Create("gp"));
        study.EnqueueBaselines();
        // The first baseline triggers the pool pass; time it alone so it is not charged to every trial.
        var pool = Stopwatch.StartNew();
        setup.Runner.Plan(setup.Runner.Config(space.MaterializeBaseline(space.Baselines[0])));
        double poolSeconds = pool.Elapsed.TotalSeconds;
        var wall = Stopwatch.StartNew();
        study.Optimize(t => setup.Runner.Evaluate(t), trials);
        double total = wall.Elapsed.TotalSeconds;
        var timings = storage.GetTrials("bench").Select(t => AttrJson.Deserialize<TrialTimings>(t.UserAttr(TrialAttrs.Timings))).OfType<TrialTimings>().ToList();
        double eval = timings.Sum(t => t.Eval);
        // Statistics time is aggregation (sub-millisecond) plus, the first time a (source, seqlen, seed)
        // pool is used, its one dense calibration pass: a forward pass, counted on that side.
        double pools = timings.Sum(t => t.Statistics);
        double outside = total - eval - pools;
        Console.WriteLine($"| {name} | {model.Model.ParameterCount():N0} | {poolSeconds:F1} | {trials / total * 3600:F0} | {total / trials:F3} | " +
                          $"{eval / total:P1} | {pools / total:P1} | {outside / total:P1} |");
    }
}

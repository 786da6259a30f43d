using Search.Data;
using Search.Optimization.Spaces;
using Search.Pruning.Statistics;
using Search.Records;

namespace Search.Objective;

/// <summary>Everything a study's trials need, built once per process: dense model, eval sets, pools, runner.</summary>
public sealed class SearchSetup : IDisposable
{
    public required LoadedModel Model { get; init; }
    public required TrialRunner Runner { get; init; }

    public static SearchSetup Create(LoadedModel model, ObjectiveSettings settings, string? dataDir,
        SearchSpace? space, TextWriter? log)
    {
        var cache = TokenCache.OpenDefault();
        var bos = BosModes.Parse(settings.Bos);
        var (search, test) = EvalSplits.Resolve(settings.EvalDataset, settings.SeqLen, bos, model.Tokenizer, cache, dataDir);
        var pools = new CalibrationPools(model.Model, model.Hash, model.Tokenizer, cache,
            source => EvalSplits.CalibrationSource(source, dataDir), settings.PoolSize,
            CalibrationStatsCache.OpenDefault(), log is null ? null : msg => log.WriteLine(msg));
        return new SearchSetup
        {
            Model = model,
            Runner = new TrialRunner(model.Model, pools, settings, search, test, TrialParams.MixComponentsOf(space)),
        };
    }

    /// <summary>Frees the runner's caches (the teacher distribution); the caller owns and disposes the model.</summary>
    public void Dispose() => Runner.Dispose();
}

using System.Globalization;
using Search.Data;
using Search.Model;
using Search.Model.Tokenizers;
using Search.Optimization.Spaces;
using Search.Optimization.Trials;
using Search.Pruning.Allocation;
using Search.Pruning.Metrics;
using Search.Pruning.Surgery;
using Search.Records;

namespace Search.Objective;

/// <summary>
/// Checks a study against its space, model and options BEFORE the first trial, so a night is never
/// spent failing trials one by one: every baseline must decode into a runnable config, and every
/// value the space can propose must be one the objective can run — known calibration sources with
/// enough text for their window lengths, sample counts within the pool, window lengths the model
/// can attend over, structures, compensations and metrics the engine knows, and per-layer level
/// grids the model's widths can express. The first problem is one line naming the space file and
/// the parameter; nothing is stored.
/// </summary>
public static class StudyValidation
{
    /// <summary>Params every trial config needs (search-spaces/README.md).</summary>
    public static readonly string[] RequiredParams =
        ["calibration_source", "calibration_samples", "calibration_seqlen", "calibration_seed", TrialParams.MixName, "structure", "compensation"];

    /// <summary>The largest calibration_samples any proposal or baseline of the space can ask for.</summary>
    public static int MaxSamples(SearchSpace space) =>
        (int)Math.Round(Values(space, "calibration_samples").Select(v => v.AsReal).Concat(
            space.Baselines.Select(b => space.MaterializeBaseline(b)).Where(p => p.ContainsKey("calibration_samples"))
                .Select(p => p["calibration_samples"].AsReal)).DefaultIfEmpty(1).Max());

    public static void Ensure(string spacePath, SearchSpace space, Transformer dense, ITextTokenizer tokenizer, TokenCache tokens,
        ObjectiveSettings settings, Func<string, CorpusSource> calibrationSource)
    {
        string where = spacePath;
        UserInputException Bad(string what) => new($"{where}: {what}");

        foreach (var name in RequiredParams)
            if (!space.Dimensions.Any(d => d.Name == name))
                throw Bad($"the space has no '{name}' parameter, which the pruning objective needs");

        var mixComponents = TrialParams.MixComponentsOf(space);
        foreach (var component in mixComponents)
            Try(() => ImportanceMetricNames.Parse(component), e => Bad($"{TrialParams.MixName}: {e}"));
        foreach (var structure in Values(space, "structure").Select(Text))
            Try(() => AllocationSpec.Parse(structure, settings.Ratio, structure == AllocationSpec.PerLayerName ? new LayerRatios([], []) : null),
                e => Bad($"structure: {e}"));
        if (Values(space, "structure").Select(Text).Contains(AllocationSpec.PerLayerName)
            && (!space.Dimensions.Any(d => d.Name == "attention_ratios") || !space.Dimensions.Any(d => d.Name == "mlp_ratios")))
            throw Bad("structure per-layer needs attention_ratios and mlp_ratios dimensions");
        foreach (var compensation in Values(space, "compensation").Select(Text))
            Try(() => CompensationNames.Parse(compensation), e => Bad($"compensation: {e}"));
        foreach (var unit in Values(space, "attention_unit").Select(Text))
            Try(() => AttentionUnitNames.Parse(unit), e => Bad($"attention_unit: {e}"));

        foreach (var samples in Values(space, "calibration_samples").Select(v => (int)Math.Round(v.AsReal)))
            if (samples < 1)
                throw Bad($"calibration_samples can be {samples}; it must be at least 1");
            else if (samples > settings.PoolSize)
                throw Bad($"calibration_samples can be {samples}, above the calibration pool size {settings.PoolSize} (raise --pool-size)");
        var seqLens = Values(space, "calibration_seqlen").Select(v => (int)Math.Round(v.AsReal)).Distinct().ToList();
        foreach (int seqLen in seqLens)
            EnsureSeqLen(seqLen, dense.Config, e => Bad($"calibration_seqlen: {e}"));
        EnsureSeqLen(settings.SeqLen, dense.Config, e => new UserInputException($"--seqlen: {e}"));

        // Every source must resolve and hold enough tokens for its longest window.
        foreach (var source in Values(space, "calibration_source").Select(Text).Distinct())
        {
            CorpusSource corpus;
            try { corpus = calibrationSource(source); }
            catch (UserInputException e) { throw Bad($"calibration_source '{source}': {e.Message}"); }
            int tokensInCorpus = CorpusTokens.Load(corpus, tokenizer, tokens).Length + 1;
            foreach (int seqLen in seqLens)
                if (tokensInCorpus <= seqLen)
                    throw Bad($"calibration_source '{source}' has {tokensInCorpus} tokens, too few for windows of {seqLen}");
        }

        foreach (var ratios in space.Dimensions.OfType<LayerRatiosDimension>())
            EnsureGrid(ratios, dense, Bad);

        foreach (var baseline in space.Baselines)
        {
            try
            {
                var config = TrialConfig.From(TrialParams.Decode(space.MaterializeBaseline(baseline), mixComponents), settings.Ratio, settings.MlpWidthMultiple);
                if (config.Calibration.Samples < 1)
                    throw new UserInputException($"calibration_samples is {config.Calibration.Samples}; it must be at least 1");
                if (config.Calibration.Samples > settings.PoolSize)
                    throw new UserInputException($"calibration_samples {config.Calibration.Samples} is above the calibration pool size {settings.PoolSize} (raise --pool-size)");
                EnsureSeqLen(config.Calibration.SeqLen, dense.Config, e => new UserInputException($"calibration_seqlen: {e}"));
                config.Recipe.Allocation.EnsureFits(dense);
            }
            catch (Exception e) when (e is UserInputException or RecordInputException or Search.Optimization.OptimizationInputException)
            {
                throw Bad($"baseline '{baseline.Tag}': {e.Message}");
            }
        }
    }

    private static void EnsureSeqLen(int seqLen, ModelConfig config, Func<string, Exception> error)
    {
        if (seqLen < 2) throw error($"window length {seqLen} is below 2");
        if (seqLen > config.MaxPositionEmbeddings)
            throw error($"window length {seqLen} exceeds the model's max_position_embeddings {config.MaxPositionEmbeddings}");
        if (config.SlidingWindow is int w && seqLen > w)
            throw error($"window length {seqLen} exceeds the model's sliding_window {w}");
    }

    /// <summary>
    /// A per-layer level grid must be one the model can express: a level below 1 may not remove a
    /// whole block (1 itself is the explicit "skip this block" level), and with two or more levels
    /// they may not all remove the same number of units in every layer (a 4-group attention layer
    /// cannot tell 0.1 from 0.2: both remove no group).
    /// </summary>
    private static void EnsureGrid(LayerRatiosDimension d, Transformer dense, Func<string, UserInputException> bad)
    {
        bool attention = d.Module == "attention";
        var unitCounts = dense.Config.Layers.Select(w => attention ? w.NumKvHeads : w.IntermediateSize).Distinct();
        var levels = Enumerable.Range(0, d.MaxLevel + 1).Select(d.RatioOfLevel).ToList();
        foreach (int n in unitCounts)
        {
            foreach (double level in levels.Where(r => r < 1))
                if (n > 0 && Math.Floor(level * n + 1e-9) >= n)
                    throw bad($"{d.Name}: level {level.ToString(CultureInfo.InvariantCulture)} removes every {(attention ? "KV group" : "channel")} of a layer (use 1 to skip the block)");
            if (levels.Count > 1 && levels.Select(r => (int)Math.Floor(r * n + 1e-9)).Distinct().Count() < 2)
                throw bad($"{d.Name}: the levels {string.Join(", ", levels.Select(r => r.ToString(CultureInfo.InvariantCulture)))} " +
                          $"all remove the same number of the {n} {(attention ? "KV groups" : "channels")} of a layer; use a coarser step");
        }
    }

    /// <summary>The values a dimension can take that matter for validity: all choices, or the ends of a range.</summary>
    private static IEnumerable<ParamValue> Values(SearchSpace space, string name)
    {
        var d = space.Dimensions.FirstOrDefault(x => x.Name == name);
        return d switch
        {
            CategoricalDimension c => c.Choices,
            FixedDimension f => [f.Value],
            IntDimension i => [ParamValue.Of(i.Low), ParamValue.Of(i.High)],
            FloatDimension f => [ParamValue.Of(f.Low), ParamValue.Of(f.High)],
            _ => [],
        };
    }

    private static string Text(ParamValue v) =>
        v.Kind == ParamValueKind.Text ? v.AsText.ToLowerInvariant() : v.AsReal.ToString("R", CultureInfo.InvariantCulture);

    private static void Try(Action check, Func<string, Exception> error)
    {
        try { check(); }
        catch (UserInputException e) { throw error(e.Message); }
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;
using Search.Model.Export;
using Search.Runtime.LlamaCpp;
using Search.Data;
using Search.Pruning.Pipeline;

namespace Search.Application.Prune;

/// <summary>One layer before → after pruning.</summary>
public sealed record PruneLayerRow(int Layer, int HeadsBefore, int HeadsAfter, int KvHeadsBefore, int KvHeadsAfter,
    int ChannelsBefore, int ChannelsAfter, bool OProjBias, bool DownProjBias);

/// <summary>prune --quant: what llama.cpp's quantizer wrote per type, every fallback, and the perplexity of the file against its f32 source.</summary>
public sealed record PruneQuantization(string Type, long Bytes, long F32Bytes, IReadOnlyList<QuantizedTypeCount> Types,
    IReadOnlyList<QuantizedTensor> Fallbacks, QuantizedPerplexity? Perplexity, [property: JsonIgnore] IReadOnlyList<string> Lines)
{
    public static PruneQuantization Of(QuantizedGguf q) => new(q.Report.Quantization.Name, q.Report.FileBytes, q.Report.SourceFileBytes,
        q.Report.ByType, q.Report.Fallbacks, q.Check,
        [.. q.Report.Lines(), .. q.Check is { } c ? [c.Line(q.Report.Quantization.Name)] : Array.Empty<string>()]);
}

/// <summary>
/// Everything <c>prune</c> reports, in one shape for both the table and <c>--json</c> (snake_case
/// keys), so the two outputs can never disagree.
/// </summary>
public sealed record PruneReport(
    string Model,
    string ModelHash,
    string Structure,
    string Metric,
    string Compensation,
    string? Calibration,
    string Statistics,
    bool? StatsFromCache,
    string Eval,
    string Bos,
    int EvalWindows,
    long EvalScoredTokens,
    double TargetRatio,
    double AchievedRatio,
    long ParamsTotal,
    long ParamsPrunable,
    long ParamsRemoved,
    long ParamsAfter,
    double DensePpl,
    double PrunedPpl,
    double SecondsStats,
    double SecondsScoringAllocation,
    double SecondsSurgery,
    double SecondsEvalDense,
    double SecondsEval,
    IReadOnlyList<PruneLayerRow> Layers,
    string? Out,
    string Device,
    string Dtype)
{
    public static readonly JsonSerializerOptions JsonOptions = FiniteJson.Create(JsonNamingPolicy.SnakeCaseLower);

    /// <summary>prune --out … --quant only (absent from the JSON otherwise).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PruneQuantization? Quantization { get; init; }

    /// <summary>Why a perplexity is missing (null in JSON): the dense or the pruned model scored NaN/inf.</summary>
    public string? Error => FiniteJson.NotFinite(DensePpl) is { } dense
        ? $"{Model}: the dense model's perplexity is not finite ({dense}): its logits overflow or its weights hold NaN/inf"
        : FiniteJson.NotFinite(PrunedPpl) is { } pruned
            ? $"{Model}: the pruned model's perplexity is not finite ({pruned}) although the dense model's is {DensePpl:F4}"
            : null;

    public static PruneReport Of(LoadedModel dense, PruneOutcome o, string metric, string compensation, string statistics, PoolSpec? calibration,
        EvalSpec eval, string? outDir, string device)
    {
        var layers = Enumerable.Range(0, dense.Model.Layers.Count).Select(l =>
        {
            var before = dense.Model.Layers[l].Widths;
            var after = o.Pruned.Config.Layers[l];
            return new PruneLayerRow(l, before.NumHeads, after.NumHeads, before.NumKvHeads, after.NumKvHeads,
                before.IntermediateSize, after.IntermediateSize, after.OProjBias, after.DownProjBias);
        }).ToList();
        var t = o.Timings;
        return new PruneReport(dense.Dir, dense.Hash, o.Plan.Structure, metric, compensation, calibration?.Key, statistics, o.StatisticsFromCache,
            eval.Key, o.PrunedPerplexity.Bos, o.PrunedPerplexity.Windows, o.PrunedPerplexity.ScoredTokens,
            o.Plan.TargetRatio, o.Plan.AchievedRatio, o.DenseParams, o.Plan.PrunableParams, o.Plan.RemovedParams, o.PrunedParams,
            o.Dense.Perplexity, o.PrunedPerplexity.Perplexity,
            t.Statistics, t.ScoringAndAllocation, t.Surgery, t.DenseEval, t.PrunedEval,
            layers, outDir is null ? null : Path.GetFullPath(outDir), device, o.PrunedPerplexity.DType);
    }
}

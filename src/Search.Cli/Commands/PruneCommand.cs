using System.CommandLine;
using Search.Application.Prune;
using Search.Model.Checkpoints;
using Search.Model.Runtime;
using Search.Data;
using Search.Pruning.Pipeline;
using Search.Pruning.Statistics;

namespace Search.Cli.Commands;

/// <summary>
/// <c>prunesearch prune</c>: options (every flag checked before the model loads) → <see cref="PruneOnce.Run"/>
/// (one FLAP-style pass, optionally writing the pruned model) → the report as tables or JSON.
/// </summary>
public static class PruneCommand
{
    public static Command Create(TextWriter output)
    {
        var model = CommonOptions.Model();
        var ratio = new Option<double>("--ratio")
        {
            Description = "fraction of the prunable parameters (attention and MLP weights) to remove, in [0, 1)",
            DefaultValueFactory = _ => 0.2,
        }.Fraction();
        var structure = new Option<string>("--structure")
        {
            Description = "al-am (FLAP default), ul-um, ul-mm, al-mm (FLAP's published rules), their exact-budget twins " +
                          "al-am-exact, ul-um-exact, ul-mm-exact, al-mm-exact, or per-layer (with --layer-ratios)",
            DefaultValueFactory = _ => "al-am",
        };
        var metric = new Option<string?>("--metric") { Description = "ifv, wifv (default), wifn, wanda-sp or magnitude-sp" };
        var mix = new Option<string?>("--mix") { Description = "metric mixture NAME=W,NAME=W (weights normalized), e.g. wifv=0.7,wifn=0.3; replaces --metric" };
        var layerRatios = new Option<string?>("--layer-ratios")
        {
            Description = "JSON file {\"attention\":[...],\"mlp\":[...]}: per layer the fraction of KV groups / MLP channels to remove (--structure per-layer)",
        };
        var calib = new Option<string>("--calib")
        {
            Description = $"calibration pool {PoolSpec.Format}: windows at CPython random.seed(S) offsets in the corpus stream with one BOS at its start (FLAP)",
            DefaultValueFactory = _ => "synthetic:train:128x128:seed0",
        };
        var compensation = new Option<string>("--compensation")
        {
            Description = "bias (FLAP: pruned channels replaced by their calibration mean through an o/down bias) or none",
            DefaultValueFactory = _ => "bias",
        };
        var eval = new Option<string>("--eval")
        {
            Description = $"evaluation set {EvalSpec.Format}: non-overlapping windows, one BOS at the corpus start (same as 'eval --bos corpus')",
            DefaultValueFactory = _ => "synthetic:valid:128",
        };
        var outDir = new Option<string?>("--out")
        {
            Description = "write the pruned model here: an HF folder (config.json with prunesearch_layers, safetensors, tokenizer), " +
                          "or in the --format given (gguf: a .gguf file or a folder)",
        };
        var format = ExportOptions.Format();
        var ggufType = ExportOptions.GgufType("--gguf-dtype");
        var padHeads = ExportOptions.PadHeads();
        var quant = ExportOptions.Quant();
        var widthMultiple = CommonOptions.WidthMultiple("any --structure; a published rule's per-layer counts are rounded too");
        var statsCache = new Option<string?>("--stats-cache")
        {
            Description = "folder of cached calibration sums (default: $PRUNESEARCH_CACHE_DIR/stats, else ~/.cache/prunesearch/stats)",
        };
        var statsMode = new Option<string>("--stats")
        {
            Description = "pooled (moments of all calibration tokens, float64) or flap-exact (FLAP's running update: first window dropped " +
                          "from the fluctuation, the already-updated mean, the bias mean rounded to fp16) for bit-level reproduction",
            DefaultValueFactory = _ => "pooled",
        };
        var dataDir = CommonOptions.DataDir();
        var device = CommonOptions.Device();
        var dtype = CommonOptions.Dtype();
        var weights = CommonOptions.Weights();
        var json = CommonOptions.Json();
        var threads = CommonOptions.Threads();
        var cmd = new Command("prune", "Prune a model once (FLAP-style): calibrate on the dense model, score channels and heads, " +
                                       "remove the lowest under a structure or per-layer ratios, compensate, and compare perplexities.")
        {
            model, ratio, structure, metric, mix, layerRatios, widthMultiple, calib, compensation, eval, outDir, format, ggufType, padHeads, quant, statsCache, statsMode,
            dataDir, device, dtype, weights, json, threads,
        };
        cmd.SetAction(parse =>
        {
            TorchRuntime.Initialize(parse.GetValue(threads));
            // Every flag is checked before the model loads, so a typo costs nothing.
            var allocation = PruneArguments.Allocation(parse.GetValue(structure)!, parse.GetValue(ratio), parse.GetValue(layerRatios), parse.GetValue(widthMultiple));
            var mixture = PruneArguments.Mixture(parse.GetValue(metric), parse.GetValue(mix));
            var comp = PruneArguments.Compensation(parse.GetValue(compensation)!);
            var pool = PoolSpec.Parse(parse.GetValue(calib)!);
            var mode = StatisticsModeNames.Parse(parse.GetValue(statsMode)!);
            var evalSpec = EvalSpec.Parse(parse.GetValue(eval)!);
            var target = ExportOptions.Target(parse.GetValue(format)!, parse.GetValue(ggufType), "--gguf-dtype", parse.GetValue(padHeads), parse.GetValue(quant));
            var dev = TorchRuntime.ResolveDevice(parse.GetValue(device)!);
            var dt = Checkpoint.ParseDtype(parse.GetValue(dtype)!);
            var residency = WeightResidencies.Parse(parse.GetValue(weights)!);
            var request = new PruneOnceRequest(parse.GetValue(model)!, new PruningRecipe(mixture, allocation, comp), pool, evalSpec, mode,
                target, parse.GetValue(outDir), parse.GetValue(statsCache), parse.GetValue(dataDir), dev, dt, residency, parse.GetValue(threads));
            return PruneOnce.RunAndPrint(output, request, parse.GetValue(json)) ? 0 : CliApp.InternalError;
        });
        return cmd;
    }
}

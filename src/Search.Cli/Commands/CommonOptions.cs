using Search.Data;
using Search.Training;
using System.CommandLine;

namespace Search.Cli.Commands;

/// <summary>Options several commands share, defined once so their help text stays consistent.</summary>
public static class CommonOptions
{
    public static Option<string> Model() => new("--model")
    {
        Description = "HF model folder (config.json + safetensors + tokenizer), 'embedded' for the project's own " +
                      "tiny model (built and cached on first use, no network), or 'zoo:NAME' for a zoo model (trained into the " +
                      "cache on first use from ../shared; see 'prunesearch zoo list')",
        DefaultValueFactory = _ => ModelSources.Embedded,
    };

    public static Option<string?> DataDir() => new("--data-dir")
    {
        Description = "folder laid out like shared/data (default: $PRUNESEARCH_DATA_DIR, else the nearest shared/data " +
                      "above the working directory; the 'synthetic' dataset always comes with the embedded model)",
    };

    public static Option<string> Device() => new("--device")
    {
        Description = "cpu or cuda (cuda needs a build with -p:TorchBackend=cuda)",
        DefaultValueFactory = _ => "cpu",
    };

    public static Option<string> Dtype() => new Option<string>("--dtype")
    {
        Description = "float32, float16 or bfloat16: weights are converted to this on load",
        DefaultValueFactory = _ => "float32",
    }.ParsedBy(Search.Model.Checkpoints.Checkpoint.ParseDtype);

    public static Option<string> Weights() => new Option<string>("--weights")
    {
        Description = "mapped: leave the weights in the memory-mapped safetensors (nothing read until used; a model larger " +
                      "than memory streams layer by layer); resident: copy them into memory in --dtype at load",
        DefaultValueFactory = _ => "mapped",
    }.ParsedBy(Search.Model.Checkpoints.WeightResidencies.Parse);

    public static Option<bool> Json() => new("--json") { Description = "print one JSON object instead of a table" };

    public static Option<int> WidthMultiple(string appliesTo) => new Option<int>("--width-multiple")
    {
        Description = $"keep every layer's MLP channel count a multiple of N ({appliesTo}; the budget repair moves N channels at a time): " +
                      "256 for llama.cpp k-quants (q4_k_m, q5_k_m, q6_k), 32 for q4_0/q8_0, 8/64/128 for GPU tensor cores; 1 = any count",
        DefaultValueFactory = _ => 1,
    }.AtLeast(1);

    public static Option<int> Threads() => new Option<int>("--threads")
    {
        Description = "CPU threads for libtorch (default: all cores)",
        DefaultValueFactory = _ => Environment.ProcessorCount,
    }.AtLeast(1);
}

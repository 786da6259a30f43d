using System.CommandLine;
using Search.Application.Bench;
using Search.Model.Checkpoints;
using Search.Model.Runtime;

namespace Search.Cli.Commands;

/// <summary>
/// <c>prunesearch bench</c>: prefill and decode tokens/s of a model folder at batch 1 (fixed
/// prompt, greedy decode with the KV cache, warm-up, median of repeats, threads recorded), in
/// TorchSharp and, with --llama-cpp, in llama.cpp through a temporary f32 GGUF. With --dense the
/// dense model is timed interleaved with it and the speedups are printed (<see cref="SpeedBench.Run"/>).
/// </summary>
public static class BenchCommand
{
    public static Command Create(TextWriter output)
    {
        var model = CommonOptions.Model();
        var dense = new Option<string?>("--dense") { Description = "a reference model folder (the dense model) timed interleaved with --model; prints speedups" };
        var llamaCpp = SpeedOptions.LlamaCpp("also time llama.cpp (LLamaSharp's CPU build, its default settings) on a temporary GGUF of each model (f32 unless --quant)");
        var quant = SpeedOptions.Quant("--quant");
        var prompt = SpeedOptions.PromptTokens();
        var newTokens = SpeedOptions.NewTokens();
        var warmup = SpeedOptions.Warmup();
        var repeats = SpeedOptions.Repeats();
        var dtype = CommonOptions.Dtype();
        var json = CommonOptions.Json();
        var threads = CommonOptions.Threads();
        var cmd = new Command("bench", "Prefill and decode tokens/s of a model at batch 1 (fixed prompt, greedy KV-cached decode, warm-up, median of " +
                                       "repeats) in TorchSharp and, with --llama-cpp, llama.cpp; weights are loaded resident in --dtype.")
        {
            model, dense, llamaCpp, quant, prompt, newTokens, warmup, repeats, dtype, json, threads,
        };
        cmd.SetAction(parse =>
        {
            int t = parse.GetValue(threads);
            var protocol = SpeedOptions.Protocol(parse.GetValue(prompt), parse.GetValue(newTokens), parse.GetValue(warmup), parse.GetValue(repeats), t);
            TorchRuntime.Initialize(t);
            var dt = Checkpoint.ParseDtype(parse.GetValue(dtype)!);
            var writer = SpeedOptions.GgufWriter(parse.GetValue(quant), "--quant", parse.GetValue(llamaCpp), t);
            var runners = parse.GetValue(llamaCpp) ? SpeedOptions.LlamaCppOrWarn() : null;
            SpeedBench.Run(output, new BenchRequest(parse.GetValue(model)!, parse.GetValue(dense), protocol, dt, parse.GetValue(json), runners, writer));
            return 0;
        });
        return cmd;
    }
}

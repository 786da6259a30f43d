using System.CommandLine;
using Search.Application.Models;
using Search.Model.Checkpoints;
using Search.Model.Shapes;

namespace Search.Cli.Commands;

/// <summary>
/// <c>prunesearch init-model</c>: a random-weight checkpoint of a real model's shape (TinyLlama-1.1B,
/// Llama-2-7B, Qwen2.5-0.5B, …) as a normal HF folder, deterministic for a seed — so every speed and
/// memory figure can be reproduced without downloading the real weights.
/// </summary>
public static class InitModelCommand
{
    public static Command Create(TextWriter output)
    {
        var shape = new Option<string>("--shape")
        {
            Description = "model shape: " + string.Join(", ", ModelShapes.All.Select(s => s.Name)),
            Required = true,
        }.ParsedBy(ModelShapes.Find);
        var dtype = new Option<string>("--dtype") { Description = "float32, float16 or bfloat16 (stored dtype)", DefaultValueFactory = _ => "bfloat16" }.ParsedBy(Checkpoint.ParseDtype);
        var seed = new Option<long>("--seed") { Description = "weights are a pure function of (shape, dtype, seed)", DefaultValueFactory = _ => 0 };
        var outDir = new Option<string>("--out") { Description = "output folder (must not exist or be empty)", Required = true };
        var layers = new Option<int?>("--layers") { Description = "keep only this many layers of the real shape (quick tests)" }.AtLeast(1);
        var tokenizer = new Option<string?>("--tokenizer")
        {
            Description = "folder whose tokenizer.model/tokenizer.json is copied (default: the nearest shared/tokenizers/llama2-32k, " +
                          "else the embedded model's tokenizer)",
        };
        var cmd = new Command("init-model", "Write a random-weight model of a real shape (sharded safetensors like the published one, " +
                                            "a tokenizer) for reproducible scale measurements.")
        {
            shape, dtype, seed, outDir, layers, tokenizer,
        };
        cmd.SetAction(parse =>
        {
            var s = ModelShapes.Find(parse.GetValue(shape)!);
            var dt = Checkpoint.ParseDtype(parse.GetValue(dtype)!);
            if (parse.GetValue(layers) is int n && (n < 1 || n > s.Layers))
                throw new Search.Model.UserInputException($"--layers must be in 1..{s.Layers} for {s.Name}, got {n}");
            string target = parse.GetValue(outDir)!;
            if (!RandomCheckpoint.IsEmptyTarget(target)) throw new Search.Model.UserInputException($"--out {target}: folder exists and is not empty");
            if (parse.GetValue(tokenizer) is { } t && RandomCheckpoint.TokenizerProblem(t) is { } problem)
                throw new Search.Model.UserInputException($"--tokenizer {t}: {problem}");
            ModelInit.Run(output, new InitModelRequest(s, dt, parse.GetValue(seed), target, parse.GetValue(tokenizer), parse.GetValue(layers)));
            return 0;
        });
        return cmd;
    }
}

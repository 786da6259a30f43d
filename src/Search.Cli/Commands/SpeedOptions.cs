using System.CommandLine;
using Search.Model;
using Search.Model.Export;
using Search.Model.Speed;
using Search.Runtime.LlamaCpp;

namespace Search.Cli.Commands;

/// <summary>The speed protocol's options (bench; search --speed with a "speed-" prefix) and the llama.cpp runtime switch.</summary>
public static class SpeedOptions
{
    private static readonly SpeedProtocol Defaults = new();

    public static Option<int> PromptTokens(string prefix = "") => new($"--{prefix}prompt-tokens")
    {
        Description = "prompt length (prefill, one batch; fixed pseudo-random ids)",
        DefaultValueFactory = _ => Defaults.PromptTokens,
    };

    public static Option<int> NewTokens(string prefix = "") => new($"--{prefix}new-tokens")
    {
        Description = "greedy decode steps after the prompt (batch 1, KV cache)",
        DefaultValueFactory = _ => Defaults.NewTokens,
    };

    public static Option<int> Repeats(string prefix = "") => new($"--{prefix}repeats")
    {
        Description = "timed runs; tokens/s of the median (and the fastest) is reported",
        DefaultValueFactory = _ => Defaults.Repeats,
    };

    public static Option<int> Warmup(string prefix = "") => new($"--{prefix}warmup")
    {
        Description = "untimed runs before the timed ones",
        DefaultValueFactory = _ => Defaults.Warmup,
    };

    public static Option<bool> LlamaCpp(string description) => new("--llama-cpp") { Description = description };

    public static Option<string?> Quant(string name) => new(name)
    {
        Description = $"weights of the GGUFs llama.cpp times, the same for the model and the dense one: {GgufWeights.Names} " +
                      "(quantized by llama.cpp's own quantizer from f32; default f32); needs --llama-cpp",
    };

    /// <summary>The GGUF writer for --quant (null: f32), refused without llama.cpp timing.</summary>
    public static GgufModelWriter? GgufWriter(string? quant, string flag, bool llamaCpp, int threads)
    {
        if (quant is null) return null;
        if (!llamaCpp) throw new UserInputException($"{flag} sets the weights llama.cpp is timed on and needs --llama-cpp");
        return LlamaCppSpeed.Writer(GgufWeights.Parse(quant, flag), threads);
    }

    /// <summary>A protocol from the parsed values, checked (one-line refusal).</summary>
    public static SpeedProtocol Protocol(int prompt, int newTokens, int warmup, int repeats, int threads)
    {
        var p = new SpeedProtocol(prompt, newTokens, warmup, repeats, threads);
        p.Validate();
        return p;
    }

    /// <summary>llama.cpp's runner factory, or null with one warning line on stderr when its native library does not load.</summary>
    public static GgufRunnerFactory? LlamaCppOrWarn()
    {
        if (LlamaCppRuntime.Unavailable() is { } reason)
        {
            Console.Error.WriteLine($"warning: llama.cpp did not load ({reason}); measuring TorchSharp only");
            return null;
        }
        return LlamaCppSpeed.Runners();
    }
}

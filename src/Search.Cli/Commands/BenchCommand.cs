using Search.Application.Views;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Search.Data;
using Search.Training;
using Search.Model;
using Search.Model.Checkpoints;
using Search.Model.Runtime;
using Search.Model.Speed;
using Spectre.Console;
using static TorchSharp.torch;

namespace Search.Cli.Commands;

/// <summary>
/// <c>prunesearch bench</c>: prefill and decode tokens/s of a model folder at batch 1 (fixed
/// prompt, greedy decode with the KV cache, warm-up, median of repeats, threads recorded), in
/// TorchSharp and, with --llama-cpp, in llama.cpp through a temporary f32 GGUF. With --dense the
/// dense model is timed interleaved with it and the speedups are printed.
/// </summary>
public static class BenchCommand
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

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
            if (t < 1) throw new UserInputException($"--threads must be at least 1, got {t}");
            var protocol = SpeedOptions.Protocol(parse.GetValue(prompt), parse.GetValue(newTokens), parse.GetValue(warmup), parse.GetValue(repeats), t);
            TorchRuntime.Initialize(t);
            var dt = Checkpoint.ParseDtype(parse.GetValue(dtype)!);
            bool asJson = parse.GetValue(json);
            var writer = SpeedOptions.GgufWriter(parse.GetValue(quant), "--quant", parse.GetValue(llamaCpp), t);
            var runners = parse.GetValue(llamaCpp) ? SpeedOptions.LlamaCppOrWarn() : null;
            using var subject = ModelSources.Load(parse.GetValue(model)!, dt, CPU, asJson ? null : output, WeightResidency.Resident);
            var report = parse.GetValue(dense) is { } denseDir
                ? Compare(subject, Name(parse.GetValue(model)!), denseDir, dt, protocol, runners, writer)
                : Single(subject, Name(parse.GetValue(model)!), protocol, runners, writer);
            if (asJson) output.WriteLine(JsonSerializer.Serialize(report, Json));
            else Print(output, report);
            return 0;
        });
        return cmd;
    }

    /// <summary>What bench prints with --json: every measurement record and, with --dense, the speedups.</summary>
    public sealed record BenchReport(string Model, string? Dense, SpeedProtocol Protocol, IReadOnlyList<SpeedMeasurement> Measurements,
        IReadOnlyList<BenchSpeedup> Speedups);

    /// <summary>Model over dense, per runtime, from medians (and from the fastest runs).</summary>
    public sealed record BenchSpeedup(string Runtime, double Prefill, double Decode, double BestPrefill, double BestDecode);

    private static BenchReport Single(LoadedModel subject, string name, SpeedProtocol protocol, GgufRunnerFactory? runners, GgufModelWriter? writer)
    {
        using var meter = new SpeedMeter(subject.Model, name, subject.Dir, protocol, runners, writer);
        var (torch, llama) = meter.MeasureReference();
        return new BenchReport(subject.Dir, null, protocol, new[] { torch, llama }.OfType<SpeedMeasurement>().ToList(), []);
    }

    private static BenchReport Compare(LoadedModel subject, string name, string denseDir, ScalarType dt, SpeedProtocol protocol, GgufRunnerFactory? runners,
        GgufModelWriter? writer)
    {
        using var dense = ModelSources.Load(denseDir, dt, CPU, null, WeightResidency.Resident);
        if (dense.Model.Config.VocabSize != subject.Model.Config.VocabSize)
            throw new UserInputException($"--dense {denseDir}: vocabulary {dense.Model.Config.VocabSize} differs from the model's {subject.Model.Config.VocabSize}");
        using var meter = new SpeedMeter(dense.Model, Name(denseDir), dense.Dir, protocol, runners, writer);
        var c = meter.Compare(subject.Model, name);
        var pairs = new[] { (c.TorchSharp, c.TorchSharpReference), (c.LlamaCpp, c.LlamaCppReference) }.Where(p => p.Item1 is not null).ToList();
        return new BenchReport(subject.Dir, dense.Dir, protocol,
            pairs.SelectMany(p => new[] { p.Item1!, p.Item2! }).ToList(),
            pairs.Select(p => new BenchSpeedup(p.Item1!.Runtime,
                p.Item1.PrefillTokensPerSecond / p.Item2!.PrefillTokensPerSecond, p.Item1.DecodeTokensPerSecond / p.Item2.DecodeTokensPerSecond,
                p.Item1.BestPrefillTokensPerSecond / p.Item2.BestPrefillTokensPerSecond, p.Item1.BestDecodeTokensPerSecond / p.Item2.BestDecodeTokensPerSecond)).ToList());
    }

    /// <summary>A --model value as a short name: 'embedded', or the folder's name.</summary>
    private static string Name(string model) =>
        model == ModelSources.Embedded ? model : Path.GetFileName(Path.GetFullPath(model).TrimEnd('/', '\\'));

    private static void Print(TextWriter output, BenchReport r)
    {
        var inv = CultureInfo.InvariantCulture;
        var console = Terminal.ConsoleFor(output);
        var p = r.Protocol;
        var first = r.Measurements[0];
        var table = new Table()
            .Title(Markup.Escape($"batch 1, {p.PromptTokens}-token prompt, {p.NewTokens} new tokens, {p.Warmup} warm-up + median of {p.Repeats}; " +
                                 $"{first.Threads} threads on {first.Machine.CpuModel} ({first.Machine.LogicalCores} logical cores)"))
            .AddColumns("model", "runtime", "file size", "prefill tok/s (fastest)", "decode tok/s (fastest)", "load avg");
        foreach (var m in r.Measurements)
            table.AddRow(Markup.Escape(m.Model), Markup.Escape(m.Runtime), m.FileBytes is long b ? string.Create(inv, $"{b / 1e6:0.###} MB") : "",
                string.Create(inv, $"{m.PrefillTokensPerSecond:F1} ({m.BestPrefillTokensPerSecond:F1})"),
                string.Create(inv, $"{m.DecodeTokensPerSecond:F1} ({m.BestDecodeTokensPerSecond:F1})"),
                string.Create(inv, $"{m.LoadAverageBefore:F1}→{m.LoadAverageAfter:F1}"));
        console.Write(table);
        foreach (var s in r.Speedups)
            output.WriteLine(string.Create(inv, $"speedup over {r.Measurements[1].Model} in {s.Runtime}: prefill x{s.Prefill:F2} (fastest runs x{s.BestPrefill:F2}), decode x{s.Decode:F2} (x{s.BestDecode:F2})"));
    }
}

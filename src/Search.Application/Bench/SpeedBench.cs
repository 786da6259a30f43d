using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Search.Application.Views;
using Search.Data;
using Search.Model;
using Search.Model.Checkpoints;
using Search.Model.Export;
using Search.Model.Speed;
using Search.Training;
using Spectre.Console;
using static TorchSharp.torch;

namespace Search.Application.Bench;

/// <summary>What <c>bench</c> was asked, parsed and checked.</summary>
/// <param name="Dense">A reference (dense) model timed interleaved with <paramref name="Model"/>; null: the model alone.</param>
/// <param name="Runners">llama.cpp's runner factory (null: TorchSharp only).</param>
/// <param name="Writer">The GGUF writer llama.cpp is timed on (null: f32).</param>
public sealed record BenchRequest(string Model, string? Dense, SpeedProtocol Protocol, ScalarType Dtype, bool Json,
    GgufRunnerFactory? Runners, GgufModelWriter? Writer);

/// <summary>
/// <c>bench</c>: prefill and decode tokens/s of a model at batch 1 (fixed prompt, greedy decode with
/// the KV cache, warm-up, median of repeats, threads recorded), in TorchSharp and optionally in
/// llama.cpp; against a dense model, timed interleaved, with the speedups. Weights load resident.
/// </summary>
public static class SpeedBench
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Run(TextWriter output, BenchRequest r)
    {
        using var subject = ModelSources.Load(r.Model, r.Dtype, CPU, r.Json ? null : output, WeightResidency.Resident);
        var report = r.Dense is { } denseDir
            ? Compare(subject, Name(r.Model), denseDir, r.Dtype, r.Protocol, r.Runners, r.Writer)
            : Single(subject, Name(r.Model), r.Protocol, r.Runners, r.Writer);
        if (r.Json) output.WriteLine(JsonSerializer.Serialize(report, Json));
        else Print(output, report);
    }

    /// <summary>What bench prints as JSON: every measurement record and, against a dense model, the speedups.</summary>
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
            throw new UserInputException($"dense model {denseDir}: vocabulary {dense.Model.Config.VocabSize} differs from the model's {subject.Model.Config.VocabSize}");
        using var meter = new SpeedMeter(dense.Model, Name(denseDir), dense.Dir, protocol, runners, writer);
        var c = meter.Compare(subject.Model, name);
        var pairs = new[] { (c.TorchSharp, c.TorchSharpReference), (c.LlamaCpp, c.LlamaCppReference) }.Where(p => p.Item1 is not null).ToList();
        return new BenchReport(subject.Dir, dense.Dir, protocol,
            pairs.SelectMany(p => new[] { p.Item1!, p.Item2! }).ToList(),
            pairs.Select(p => new BenchSpeedup(p.Item1!.Runtime,
                p.Item1.PrefillTokensPerSecond / p.Item2!.PrefillTokensPerSecond, p.Item1.DecodeTokensPerSecond / p.Item2.DecodeTokensPerSecond,
                p.Item1.BestPrefillTokensPerSecond / p.Item2.BestPrefillTokensPerSecond, p.Item1.BestDecodeTokensPerSecond / p.Item2.BestDecodeTokensPerSecond)).ToList());
    }

    /// <summary>A model value (a folder or a built name) as a short name: 'embedded', or the folder's name.</summary>
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

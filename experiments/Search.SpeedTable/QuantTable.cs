using System.Globalization;
using System.Text;
using Search.Model;
using Search.Model.Export;
using Search.Model.Speed;
using Search.Runtime.LlamaCpp;

namespace Search.SpeedTable;

/// <summary>A model of the quantization table, built when its files are written and disposed right after.</summary>
/// <param name="Build">The model and what to dispose once its GGUFs exist (null for the shared dense model).</param>
internal sealed record TableModel(string Name, Func<(IDecoderLayers Model, IDisposable? Owner)> Build);

/// <summary>One GGUF of the table: its model and weights, size, speed in llama.cpp, perplexity, fallbacks.</summary>
/// <param name="Ppl">llama.cpp's perplexity (exact mode) on the family's windows; null for random weights.</param>
/// <param name="Fallbacks">Weight matrices the quantizer gave a bigger type (row length off its block); 0 for f16.</param>
internal sealed record QuantRow(string Family, string Model, string Weights, long FileBytes, double? Ppl, int Fallbacks, int Matrices,
    SpeedMeasurement Speed);

/// <summary>
/// Dense, FLAP and searched models of one family at f16, q8_0 and q4_k_m in llama.cpp, all in one run:
/// every GGUF is written first (f16 by our writer; q8_0 and q4_k_m by llama.cpp's quantizer from one
/// f32 file), scored for perplexity, then timed in interleaved rounds — each round loads every file
/// once, warms it up and times one generation — so load swings from other processes hit all of them alike.
/// Only one pruned model is in memory at a time.
/// </summary>
internal static class QuantTable
{
    public static readonly GgufWeights[] Weights =
        [GgufWeights.F16, new(GgufFileType.F32, GgufQuantization.Q8_0), new(GgufFileType.F32, GgufQuantization.Q4_K_M)];

    public static List<QuantRow> Measure(string family, IReadOnlyList<TableModel> models, string tokenizerDir, string work,
        SpeedProtocol protocol, GgufCheckWindows? pplWindows, int vocab, Action<string> log)
    {
        var files = new List<(string Model, GgufWeights Weights, string Path, GgufQuantizationReport? Report)>();
        foreach (var m in models)
        {
            log($"{family} {m.Name}: building and writing its GGUFs");
            var (model, owner) = m.Build();
            try
            {
                string stem = Path.Combine(work, $"{files.Count}");
                string source = stem + "-f32.gguf";
                ModelExport.Write(model, tokenizerDir, source, ExportFormat.Gguf);
                try
                {
                    foreach (var w in Weights)
                    {
                        string path = $"{stem}-{w.Name}.gguf";
                        GgufQuantizationReport? report = null;
                        if (w.Quantization is { } q) report = LlamaCppQuantizer.Quantize(source, path, q, protocol.Threads);
                        else ModelExport.Write(model, tokenizerDir, path, ExportFormat.Gguf, w.Type);
                        files.Add((m.Name, w, path, report));
                    }
                }
                finally
                {
                    File.Delete(source);
                }
            }
            finally
            {
                owner?.Dispose();
            }
        }

        var ppl = files.Select(f =>
        {
            if (pplWindows is null) return (double?)null;
            log($"{family} {f.Model} {f.Weights.Name}: perplexity");
            using var gguf = LlamaCppModel.Load(f.Path, pplWindows.SeqLen, protocol.Threads, LlamaCppPrecision.Exact);
            return gguf.Perplexity(pplWindows.Ids, pplWindows.Count, pplWindows.SeqLen);
        }).ToList();

        int capacity = protocol.PromptTokens + protocol.NewTokens;
        var prompt = protocol.PromptIds(vocab);
        var runs = files.Select(_ => new List<SpeedRun>()).ToList();
        var runtimes = new string[files.Count];
        double loadBefore = MachineInfo.LoadAverage();
        for (int round = 0; round < protocol.Repeats; round++)
        {
            log($"{family}: round {round + 1} of {protocol.Repeats}");
            for (int i = 0; i < files.Count; i++)
            {
                using var llama = new LlamaCppDecodeRunner(files[i].Path, capacity, protocol.Threads, LlamaCppPrecision.Default);
                runtimes[i] = llama.Runtime;
                for (int w = 0; w < protocol.Warmup; w++) SpeedBenchmark.TimeRun(llama, prompt, protocol.NewTokens);
                runs[i].Add(SpeedBenchmark.TimeRun(llama, prompt, protocol.NewTokens));
            }
        }
        double loadAfter = MachineInfo.LoadAverage();
        var rows = files.Select((f, i) => new QuantRow(family, f.Model, f.Weights.Name, new FileInfo(f.Path).Length, ppl[i],
            f.Report?.Fallbacks.Count ?? 0, f.Report?.Matrices ?? 0,
            SpeedBenchmark.Summarize($"{family} {f.Model}", runtimes[i], protocol.Threads, protocol, runs[i], loadBefore, loadAfter)
                with { FileBytes = new FileInfo(f.Path).Length })).ToList();
        foreach (var f in files) File.Delete(f.Path);
        return rows;
    }

    /// <summary>Markdown: per row the size, tokens/s (and × the dense model at the same weights), ppl, fallbacks.</summary>
    public static string Markdown(IReadOnlyList<QuantRow> rows)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        var m = rows[0].Speed.Machine;
        sb.AppendLine($"Machine: {m.CpuModel}, {m.LogicalCores} logical cores ({m.CpuFlags}); {m.Os}; threads {rows[0].Speed.Threads}; " +
                      $"runtime: {rows[0].Speed.Runtime.Replace(rows[0].Weights + " weights", "<weights>")}.");
        sb.AppendLine();
        sb.AppendLine("| model | weights | file MB | prefill tok/s | × dense | decode tok/s | × dense | ppl | fallback matrices | load avg |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            var dense = rows.First(x => x.Family == r.Family && x.Weights == r.Weights && x.Model == "dense").Speed;
            var s = r.Speed;
            sb.AppendLine(string.Create(inv,
                $"| {r.Family} {r.Model} | {r.Weights} | {r.FileBytes / 1e6:0.###} | {s.PrefillTokensPerSecond:F1} | {s.PrefillTokensPerSecond / dense.PrefillTokensPerSecond:F2} | " +
                $"{s.DecodeTokensPerSecond:F1} | {s.DecodeTokensPerSecond / dense.DecodeTokensPerSecond:F2} | " +
                $"{(r.Ppl is double p ? p.ToString("F3", inv) : "n/a")} | {(r.Matrices > 0 ? $"{r.Fallbacks} of {r.Matrices}" : "")} | " +
                $"{s.LoadAverageBefore:F1}→{s.LoadAverageAfter:F1} |"));
        }
        return sb.ToString();
    }
}

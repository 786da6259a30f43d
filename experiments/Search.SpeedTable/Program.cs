using System.Globalization;
using System.Text;
using System.Text.Json;
using Search.Data;
using Search.Model;
using Search.Model.Checkpoints;
using Search.Model.Export;
using Search.Model.Runtime;
using Search.Model.Speed;
using Search.Objective;
using Search.Runtime.LlamaCpp;
using Search.SpeedTable;
using static TorchSharp.torch;

// Usage: dotnet run -c Release --project experiments/Search.SpeedTable -- [out.json] [--stories-only] [--quant]
// Default: stories260K and a random TinyLlama-1.1B-shape model, dense and FLAP-pruned at 20% and 50%,
// in TorchSharp (our KV-cached decoder, float32) and in llama.cpp (f32 GGUF, llama.cpp defaults),
// interleaved in rounds, all in this one process. Prints a markdown table; writes every record as JSON.
// --quant: the deployment table instead (QuantTable): dense, FLAP and searched models at 20% and 50%,
// each as f16, q8_0 and q4_k_m GGUFs in llama.cpp: size, prefill/decode tokens/s, perplexity.
TorchRuntime.Initialize();
string outJson = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "speed-table.json";
bool storiesOnly = args.Contains("--stories-only");
string shared = FindShared() ?? throw new InvalidOperationException("../shared (stories260K, llama2-32k tokenizer) not found");
string work = Directory.CreateTempSubdirectory("prunesearch-speed-").FullName;
string cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "prunesearch", "bench");
void Log(string s) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {s} (load {MachineInfo.LoadAverage():F2})");

if (args.Contains("--quant")) return QuantMode();

var results = new List<SpeedMeasurement>();
var stories = new SpeedProtocol(PromptTokens: 128, NewTokens: 128, Warmup: 2, Repeats: 7, Threads: 2);
var tiny = new SpeedProtocol(PromptTokens: 64, NewTokens: 16, Warmup: 1, Repeats: 7, Threads: 2);
try
{
    string storiesDir = Path.Combine(shared, "models", "stories260K");
    using (var dense = Checkpoint.Load(storiesDir))
    {
        var calib = BenchModels.Calibration(dense.Config.VocabSize, 64, 128, storiesDir, Path.Combine(shared, "data", "tinystories", "train.txt"));
        MeasureFamily("stories260K", dense, storiesDir, calib, 64, 128, stories);
    }
    if (!storiesOnly)
    {
        string tokDir = Path.Combine(shared, "tokenizers", "llama2-32k");
        using var dense = BenchModels.TinyLlama(cache, tokDir, Log);
        var calib = BenchModels.Calibration(dense.Config.VocabSize, 8, 64, null, null);
        MeasureFamily("TinyLlama-1.1B shape (random)", dense, tokDir, calib, 8, 64, tiny);
    }
}
finally
{
    Directory.Delete(work, recursive: true);
}

File.WriteAllText(outJson, JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine(Table(results));
return 0;

// The deployment table (issue 20): GGUFs at f16, q8_0 and q4_k_m in llama.cpp only. stories260K: the
// best searched trial of the committed 20% and 50% studies (seed 0), perplexity on the first 256 windows
// of valid[test]; TinyLlama shape: random weights (no perplexity), FLAP's exact twin with --width-multiple
// 256 standing in for a searched model.
int QuantMode()
{
    var rows = new List<QuantRow>();
    var storiesProtocol = new SpeedProtocol(PromptTokens: 128, NewTokens: 128, Warmup: 1, Repeats: 7, Threads: 2);
    var tinyProtocol = new SpeedProtocol(PromptTokens: 64, NewTokens: 16, Warmup: 1, Repeats: 5, Threads: 2);
    string repo = FindRepoRoot();
    try
    {
        string storiesDir = Path.Combine(shared, "models", "stories260K");
        string dataDir = Path.Combine(shared, "data");
        using (var dense = ModelLocator.LoadFolder(storiesDir, ScalarType.Float32, CPU))
        {
            var (_, test) = EvalSplits.Resolve("tinystories", 128, BosMode.Corpus, dense.Tokenizer, TokenCache.OpenDefault(), dataDir);
            var windows = test.Take(256);
            var calib = BenchModels.Calibration(dense.Model.Config.VocabSize, 64, 128, storiesDir, Path.Combine(dataDir, "tinystories", "train.txt"));
            var stats = BenchModels.Statistics(dense.Model, calib, 64, 128);
            TableModel Searched(int percent) => new($"searched {percent}%", () =>
            {
                // The searched config of the committed experiment: its level-search study when it has one, else the earlier GP study.
                string studyDb = Path.Combine(repo, "results", $"stories260k-{percent}", "study.db");
                string studyName = BenchModels.HasStudy(studyDb, $"stories260k-{percent}-levels-s0") ? $"stories260k-{percent}-levels-s0" : $"stories260k-{percent}-s0";
                var (model, owner, trial) = BenchModels.Searched(studyDb, studyName, dense, dataDir);
                Log($"stories260K searched {percent}%: trial {trial} of {studyName}");
                return (model, owner);
            });
            var models = new List<TableModel>
            {
                new("dense", () => (dense.Model, null)),
                new("FLAP 20%", () => { var m = BenchModels.Prune(dense.Model, stats, 0.2); return (m, m); }),
                new("FLAP 50%", () => { var m = BenchModels.Prune(dense.Model, stats, 0.5); return (m, m); }),
                Searched(20),
                Searched(50),
            };
            rows.AddRange(QuantTable.Measure("stories260K", models, storiesDir, work, storiesProtocol,
                new GgufCheckWindows(windows.Ids, windows.Count, windows.SeqLen), dense.Model.Config.VocabSize, Log));
        }
        if (!storiesOnly)
        {
            string tokDir = Path.Combine(shared, "tokenizers", "llama2-32k");
            using var dense = BenchModels.TinyLlama(cache, tokDir, Log);
            var calib = BenchModels.Calibration(dense.Config.VocabSize, 8, 64, null, null);
            var stats = BenchModels.Statistics(dense, calib, 8, 64);
            TableModel Flap(string name, double ratio, int multiple) =>
                new(name, () => { var m = BenchModels.Prune(dense, stats, ratio, multiple); return (m, m); });
            var models = new List<TableModel>
            {
                new("dense", () => (dense, null)),
                Flap("FLAP 20%", 0.2, 1),
                Flap("FLAP 50%", 0.5, 1),
                Flap("FLAP-exact ×256 20%", 0.2, 256),
                Flap("FLAP-exact ×256 50%", 0.5, 256),
            };
            rows.AddRange(QuantTable.Measure("TinyLlama-1.1B shape (random)", models, tokDir, work, tinyProtocol, null, dense.Config.VocabSize, Log));
        }
    }
    finally
    {
        Directory.Delete(work, recursive: true);
    }
    File.WriteAllText(outJson, JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine(QuantTable.Markdown(rows));
    return 0;
}

static string FindRepoRoot()
{
    for (var d = new DirectoryInfo(Directory.GetCurrentDirectory()); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "Search.sln"))) return d.FullName;
    throw new InvalidOperationException("run from inside the repository (results/ holds the searched studies)");
}

// Every (model, runtime) pair is timed once per round, rounds repeated: load swings from other
// processes on the shared cores hit dense and pruned, TorchSharp and llama.cpp alike. The three
// TorchSharp models stay loaded (pruned ones share the dense embeddings); llama.cpp loads one GGUF
// at a time and warms it up after each load.
void MeasureFamily(string family, Transformer dense, string tokenizerDir, long[] calib, int count, int seqLen, SpeedProtocol protocol)
{
    var ratios = new[] { 0.0, 0.2, 0.5 };
    var names = ratios.Select(r => r == 0 ? $"{family} dense" : $"{family} pruned {r:P0}").ToArray();
    var models = new List<Transformer>();
    var ggufs = new List<string>();
    var torchRunners = new List<TorchDecodeRunner>();
    int capacity = protocol.PromptTokens + protocol.NewTokens;
    try
    {
        for (int i = 0; i < ratios.Length; i++)
        {
            Log($"{names[i]}: pruning");
            models.Add(ratios[i] == 0 ? dense : BenchModels.Prune(dense, calib, count, seqLen, ratios[i]));
            Log($"{names[i]}: writing GGUF ({models[i].ParameterCount():N0} params)");
            ggufs.Add(Path.Combine(work, $"{i}.gguf"));
            GgufWriter.Write(models[i], tokenizerDir, ggufs[i], GgufFileType.F32);
            torchRunners.Add(new TorchDecodeRunner(models[i], capacity, protocol.Threads));
        }
        var prompt = protocol.PromptIds(dense.Config.VocabSize);
        var torchRuns = ratios.Select(_ => new List<SpeedRun>()).ToArray();
        var llamaRuns = ratios.Select(_ => new List<SpeedRun>()).ToArray();
        string llamaRuntime = "";
        double loadBefore = MachineInfo.LoadAverage();
        for (int w = 0; w < protocol.Warmup; w++)
            foreach (var r in torchRunners) SpeedBenchmark.TimeRun(r, prompt, protocol.NewTokens);
        for (int round = 0; round < protocol.Repeats; round++)
        {
            Log($"{family}: round {round + 1} of {protocol.Repeats}");
            for (int i = 0; i < ratios.Length; i++)
            {
                torchRuns[i].Add(SpeedBenchmark.TimeRun(torchRunners[i], prompt, protocol.NewTokens));
                using var llama = new LlamaCppDecodeRunner(ggufs[i], capacity, protocol.Threads, LlamaCppPrecision.Default);
                llamaRuntime = llama.Runtime;
                for (int w = 0; w < protocol.Warmup; w++) SpeedBenchmark.TimeRun(llama, prompt, protocol.NewTokens);
                llamaRuns[i].Add(SpeedBenchmark.TimeRun(llama, prompt, protocol.NewTokens));
            }
        }
        double loadAfter = MachineInfo.LoadAverage();
        for (int i = 0; i < ratios.Length; i++)
        {
            results.Add(SpeedBenchmark.Summarize(names[i], torchRunners[i].Runtime, protocol.Threads, protocol, torchRuns[i], loadBefore, loadAfter));
            results.Add(SpeedBenchmark.Summarize(names[i], llamaRuntime, protocol.Threads, protocol, llamaRuns[i], loadBefore, loadAfter));
        }
    }
    finally
    {
        foreach (var r in torchRunners) r.Dispose();
        foreach (var m in models.Where(m => !ReferenceEquals(m, dense))) m.Dispose();
        foreach (var g in ggufs.Where(File.Exists)) File.Delete(g);
    }
}

static string Table(List<SpeedMeasurement> rows)
{
    var inv = CultureInfo.InvariantCulture;
    var sb = new StringBuilder();
    var m = rows[0].Machine;
    sb.AppendLine($"Machine: {m.CpuModel}, {m.LogicalCores} logical cores ({m.CpuFlags}); {m.Os}; threads {rows[0].Threads}.");
    sb.AppendLine();
    sb.AppendLine("Median of the timed runs, and in brackets the fastest run (least disturbed by other processes).");
    sb.AppendLine();
    sb.AppendLine("| model | runtime | prefill tok/s | decode tok/s | prefill × dense | decode × dense | load avg (1 min) |");
    sb.AppendLine("|---|---|---:|---:|---:|---:|---:|");
    foreach (var r in rows)
    {
        string family = r.Model[..r.Model.LastIndexOf(r.Model.Contains(" pruned ") ? " pruned " : " dense", StringComparison.Ordinal)];
        var baseRow = rows.First(x => x.Runtime == r.Runtime && x.Model == $"{family} dense");
        string runtime = r.Runtime.StartsWith("TorchSharp", StringComparison.Ordinal) ? "TorchSharp f32" : "llama.cpp f32 (f16 KV)";
        sb.AppendLine(string.Create(inv,
            $"| {r.Model} | {runtime} | {r.PrefillTokensPerSecond:F1} ({r.BestPrefillTokensPerSecond:F1}) | {r.DecodeTokensPerSecond:F1} ({r.BestDecodeTokensPerSecond:F1}) | " +
            $"{r.PrefillTokensPerSecond / baseRow.PrefillTokensPerSecond:F2} ({r.BestPrefillTokensPerSecond / baseRow.BestPrefillTokensPerSecond:F2}) | " +
            $"{r.DecodeTokensPerSecond / baseRow.DecodeTokensPerSecond:F2} ({r.BestDecodeTokensPerSecond / baseRow.BestDecodeTokensPerSecond:F2}) | " +
            $"{r.LoadAverageBefore:F1}→{r.LoadAverageAfter:F1} |"));
    }
    return sb.ToString();
}

static string? FindShared()
{
    var env = Environment.GetEnvironmentVariable("PRUNESEARCH_SHARED_DIR");
    if (!string.IsNullOrEmpty(env) && Directory.Exists(Path.Combine(env, "models"))) return env;
    for (var d = new DirectoryInfo(Directory.GetCurrentDirectory()); d is not null; d = d.Parent)
        foreach (var c in new[] { Path.Combine(d.FullName, "shared"), Path.Combine(d.FullName, "..", "shared") })
            if (Directory.Exists(Path.Combine(c, "models"))) return Path.GetFullPath(c);
    return null;
}

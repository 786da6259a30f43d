using System.Diagnostics;
using Search.Data.Evaluation;
using Search.Model;
using Search.Model.Checkpoints;
using static TorchSharp.torch;

namespace Search.Bench;

/// <summary>
/// The evaluator against the machine, measured in one run: GEMM GFLOP/s at the model's MLP shape
/// (float32 and bfloat16 — which compute dtype is faster on this CPU), then dense layer-streamed
/// evaluation of random windows with its achieved GFLOP/s (2 FLOPs per weight per token for every
/// linear layer and the lm_head, plus the attention products) and its share of the GEMM rate.
/// </summary>
public static class ScaleThroughput
{
    public static void Run(string modelDir, int windows, int seqLen, string dtype)
    {
        var dt = Checkpoint.ParseDtype(dtype);
        using var model = Checkpoint.Load(modelDir, dt);
        var c = model.Config;
        long tokens = (long)windows * seqLen;
        Console.WriteLine($"# scale: {modelDir} ({c.ParameterCount():N0} params, stored {model.Layers[0].QProj!.dtype}, computed {dt}), " +
                          $"{windows}x{seqLen} windows, {get_num_threads()} threads, load {Load()}");
        double gemm32 = Gemm(tokens, c.HiddenSize, c.IntermediateSize, ScalarType.Float32);
        double gemm16 = Gemm(tokens, c.HiddenSize, c.IntermediateSize, ScalarType.BFloat16);
        Console.WriteLine($"GEMM [{tokens}x{c.HiddenSize}]·[{c.HiddenSize}x{c.IntermediateSize}]: float32 {gemm32:F1} GFLOP/s, bfloat16 {gemm16:F1} GFLOP/s");

        var rng = new Random(0);
        var ids = Enumerable.Range(0, (int)tokens).Select(_ => (long)rng.Next(c.VocabSize)).ToArray();
        int batch = PerplexityEvaluator.AutoBatchSize(seqLen, c.VocabSize);
        var sw = Stopwatch.StartNew();
        PerplexityEvaluator.NllSum(model, ids, windows, seqLen, batch);
        double seconds = sw.Elapsed.TotalSeconds;
        double flops = FlopsPerWindow(c, seqLen) * windows;
        double achieved = flops / seconds / 1e9;
        double rate = dt == ScalarType.BFloat16 ? gemm16 : gemm32;
        Console.WriteLine($"dense eval: {tokens / seconds:F1} tokens/s, {seconds:F1} s, {achieved:F1} GFLOP/s = {achieved / rate:P0} of the {dt} GEMM rate; " +
                          $"peak RSS so far {PeakRssMb()} MB; load {Load()}");
    }

    /// <summary>FLOPs of one window through the model: 2 per weight per token (linear layers, lm_head), plus QKᵀ and AV.</summary>
    public static double FlopsPerWindow(ModelConfig c, int seqLen)
    {
        double linear = c.Layers.Sum(w => LayerTensors.All.Where(k => k is LayerTensor.QProj or LayerTensor.KProj or LayerTensor.VProj
                or LayerTensor.OProj or LayerTensor.GateProj or LayerTensor.UpProj or LayerTensor.DownProj)
            .Sum(k => LayerTensors.Shape(k, w, c) is { } s ? (double)s[0] * s[1] : 0));
        double head = (double)c.VocabSize * c.HiddenSize;
        // Causal attention: every head does T²/2 query-key and as many probability-value products of h each.
        double attention = c.Layers.Sum(w => 2.0 * 2 * w.NumHeads * c.HeadDim * seqLen * (seqLen + 1) / 2.0);
        return 2 * (linear + head) * seqLen + attention;
    }

    private static double Gemm(long m, long k, long n, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var a = randn(m, k).to_type(dtype);
        var b = randn(k, n).to_type(dtype);
        a.mm(b).Dispose(); // warm-up
        var times = new List<double>();
        for (int r = 0; r < 3; r++)
        {
            var sw = Stopwatch.StartNew();
            a.mm(b).Dispose();
            times.Add(sw.Elapsed.TotalSeconds);
        }
        return 2.0 * m * k * n / times.Order().ElementAt(1) / 1e9;
    }

    private static string Load()
    {
        try { return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "n/a"; }
    }

    private static long PeakRssMb()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1]) / 1024; // "VmHWM:\t  123 kB"
        return -1;
    }
}

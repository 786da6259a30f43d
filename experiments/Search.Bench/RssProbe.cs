using Search.Model;
using Search.Model.Checkpoints;
using static TorchSharp.torch;

namespace Search.Bench;

/// <summary>Diagnostic: RSS after every layer of a layer-streamed pass over a mapped checkpoint.</summary>
public static class RssProbe
{
    private sealed class Printer : IActivationObserver
    {
        public void OnOProjInput(int layer, Tensor x) => Console.WriteLine($"layer {layer} o_proj: RSS {Rss()} MB");
        public void OnDownProjInput(int layer, Tensor x) { }
    }

    public static void Run(string dir, int windows)
    {
        using var model = Checkpoint.Load(dir);
        Console.WriteLine($"loaded: RSS {Rss()} MB; q_proj dtype {model.Layers[0].QProj!.dtype} device {model.Layers[0].QProj!.device} index {model.Layers[0].QProj!.device_index}; model device {model.Device} index {model.Device.index}");
        var ids = Enumerable.Range(0, windows * 128).Select(i => (long)(i % 1000)).ToArray();
        LayerStream.Run(model, ids, windows, 128, 32, new Printer(), (_, _) => { });
        Console.WriteLine($"done: RSS {Rss()} MB");
        var sw = System.Diagnostics.Stopwatch.StartNew();
        using var timer = new Timer(_ => Console.WriteLine($"  collecting: RSS {Rss()} MB at {sw.Elapsed.TotalSeconds:F0} s"), null, 0, 5000);
        var stats = Search.Pruning.Statistics.CalibrationStatistics.Collect(model, ids, windows, 128, 16,
            n => Console.WriteLine($"collect batch of {n}: RSS {Rss()} MB, {sw.Elapsed.TotalSeconds:F0} s"));
        Console.WriteLine($"collected: RSS {Rss()} MB");
    }

    private static long Rss()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
        return -1;
    }
}

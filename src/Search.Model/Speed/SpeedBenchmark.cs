using System.Diagnostics;

namespace Search.Model.Speed;

/// <summary>
/// Times prefill and decode under a <see cref="SpeedProtocol"/>. Several runners are measured
/// interleaved — run i of every runner before run i+1 of any — so a load swing from other processes
/// on the machine hits them alike and their ratio stays fair. <see cref="TimeRun"/> and
/// <see cref="Summarize"/> let a caller interleave runners it cannot keep loaded together.
/// </summary>
public static class SpeedBenchmark
{
    /// <summary>Our TorchSharp model, KV-cached, on the protocol's thread count.</summary>
    public static SpeedMeasurement MeasureTorch(Transformer model, string modelName, SpeedProtocol protocol)
    {
        protocol.Validate();
        using var runner = new TorchDecodeRunner(model, protocol.PromptTokens + protocol.NewTokens, protocol.Threads);
        return Measure([runner], modelName, model.Config.VocabSize, protocol)[0];
    }

    /// <summary>Measures every runner on the same prompt, interleaving their runs.</summary>
    public static IReadOnlyList<SpeedMeasurement> Measure(IReadOnlyList<IDecodeRunner> runners, string modelName, int vocabSize,
        SpeedProtocol protocol)
    {
        protocol.Validate();
        var prompt = protocol.PromptIds(vocabSize);
        double loadBefore = MachineInfo.LoadAverage();
        for (int w = 0; w < protocol.Warmup; w++)
            foreach (var r in runners) TimeRun(r, prompt, protocol.NewTokens);
        var runs = runners.Select(_ => new List<SpeedRun>()).ToList();
        for (int rep = 0; rep < protocol.Repeats; rep++)
            for (int i = 0; i < runners.Count; i++)
                runs[i].Add(TimeRun(runners[i], prompt, protocol.NewTokens));
        double loadAfter = MachineInfo.LoadAverage();
        return runners.Select((r, i) => Summarize(modelName, r.Runtime, r.Threads, protocol, runs[i], loadBefore, loadAfter)).ToList();
    }

    /// <summary>One generation: the prompt as one batch, then <paramref name="newTokens"/> greedy decode steps.</summary>
    public static SpeedRun TimeRun(IDecodeRunner runner, long[] prompt, int newTokens)
    {
        var tokens = new List<long>(newTokens);
        var clock = Stopwatch.StartNew();
        long next = runner.Prefill(prompt);
        double prefill = clock.Elapsed.TotalSeconds;
        clock.Restart();
        for (int i = 0; i < newTokens; i++)
        {
            tokens.Add(next);
            next = runner.Step(next);
        }
        return new SpeedRun(prefill, clock.Elapsed.TotalSeconds, tokens);
    }

    /// <summary>Tokens/s from the median and from the fastest timed run; the first run's tokens are kept.</summary>
    public static SpeedMeasurement Summarize(string modelName, string runtime, int threads, SpeedProtocol protocol,
        IReadOnlyList<SpeedRun> runs, double loadBefore, double loadAfter)
    {
        if (runs.Count == 0) throw new ArgumentException("no timed runs to summarize");
        var prefill = runs.Select(r => r.PrefillSeconds).ToList();
        var decode = runs.Select(r => r.DecodeSeconds).ToList();
        return new SpeedMeasurement(modelName, runtime, protocol, threads, MachineInfo.Current(),
            protocol.PromptTokens / Median(prefill), protocol.NewTokens / Median(decode),
            protocol.PromptTokens / prefill.Min(), protocol.NewTokens / decode.Min(),
            prefill, decode, runs[0].Tokens, loadBefore, loadAfter);
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }
}

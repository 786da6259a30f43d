using System.Diagnostics;

namespace Search.Model.Speed;

/// <summary>
/// Times prefill and decode under a <see cref="SpeedProtocol"/>. Several runners are measured
/// interleaved — run i of every runner before run i+1 of any — so a load swing from other processes
/// on the machine hits them alike and their ratio stays fair.
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
        var machine = MachineInfo.Current();
        double loadBefore = MachineInfo.LoadAverage();
        for (int w = 0; w < protocol.Warmup; w++)
            foreach (var r in runners) Run(r, prompt, protocol.NewTokens);
        var prefill = runners.Select(_ => new List<double>()).ToList();
        var decode = runners.Select(_ => new List<double>()).ToList();
        var tokens = new List<long>[runners.Count];
        for (int rep = 0; rep < protocol.Repeats; rep++)
            for (int i = 0; i < runners.Count; i++)
            {
                var (p, d, generated) = Run(runners[i], prompt, protocol.NewTokens);
                prefill[i].Add(p);
                decode[i].Add(d);
                tokens[i] ??= generated;
            }
        double loadAfter = MachineInfo.LoadAverage();
        return runners.Select((r, i) => new SpeedMeasurement(modelName, r.Runtime, protocol, r.Threads, machine,
            protocol.PromptTokens / Median(prefill[i]), protocol.NewTokens / Median(decode[i]),
            prefill[i], decode[i], tokens[i], loadBefore, loadAfter)).ToList();
    }

    /// <summary>One run: prefill seconds, seconds for <paramref name="newTokens"/> decode steps, the greedy tokens.</summary>
    private static (double Prefill, double Decode, List<long> Tokens) Run(IDecodeRunner runner, long[] prompt, int newTokens)
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
        return (prefill, clock.Elapsed.TotalSeconds, tokens);
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }
}

using System.Diagnostics;
using Search.Model;
using TorchSharp;
using TorchSharp.Modules;
using Transformer = Search.Model.Transformer;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Search.Training;

/// <summary>
/// The train loss at one step (mean over the steps since the previous point), and the wall and process CPU
/// time so far: on a shared machine the wall time depends on the load, the CPU time much less.
/// </summary>
public sealed record LossPoint(int Step, double Loss, double Seconds, double CpuSeconds);

/// <summary>
/// A freshly trained model (the caller disposes it) and how training went. <see cref="FinalLoss"/> is
/// the mean train loss of the last 10 steps; <see cref="Curve"/> holds the mean loss of every logging interval.
/// </summary>
public sealed record TrainedModel(Transformer Model, double InitialLoss, double FinalLoss, IReadOnlyList<LossPoint> Curve,
    double Seconds, double CpuSeconds)
    : IDisposable
{
    public void Dispose() => Model.Dispose();
}

/// <summary>
/// Trains a LLaMA-architecture <see cref="Transformer"/> of any <see cref="ModelConfig"/> from scratch on
/// CPU: LLaMA's init (N(0, std) matrices from a private generator, unit RMSNorm weights), AdamW with
/// the <see cref="TrainingSchedule"/>'s warmup + cosine, next-token cross-entropy on the batches a
/// caller's sampler draws. A pure function of (config, init seed, schedule, batches): same inputs,
/// bit-identical weights on the same machine.
/// </summary>
public static class LlamaTrainer
{
    /// <param name="nextBatch">Inputs and targets, [B, T] int64 each, for a step (called once per step, in order).</param>
    /// <param name="logEvery">Log (and record a <see cref="LossPoint"/>) every this many steps.</param>
    public static TrainedModel Train(ModelConfig config, double initStd, ulong initSeed, TrainingSchedule schedule,
        Func<int, (Tensor X, Tensor Y)> nextBatch, Action<string>? log = null, int logEvery = 50)
    {
        if (schedule.Problem() is { } problem) throw new ArgumentException(problem, nameof(schedule));
        var clock = Stopwatch.StartNew();
        var cpuStart = CpuTime();
        torch.set_num_threads(Environment.ProcessorCount);
        var model = InitialModel(config, initStd, initSeed);
        try
        {
            var parameters = model.NamedTensors().Select(kv => (Parameter)kv.Value).ToList(); // tied: the embedding once
            using var optimizer = optim.AdamW(parameters, lr: schedule.PeakLearningRate, beta1: 0.9, beta2: 0.95,
                weight_decay: schedule.WeightDecay);
            double initialLoss = double.NaN, intervalSum = 0;
            int intervalSteps = 0;
            var recent = new Queue<double>();
            var curve = new List<LossPoint>();
            for (int step = 0; step < schedule.Steps; step++)
            {
                // One scope per step: without it the graph and temporaries of every step stay alive (docs/toolchain.md 5).
                using var scope = NewDisposeScope();
                foreach (var group in optimizer.ParamGroups) group.LearningRate = schedule.LearningRate(step);
                var (x, y) = nextBatch(step);
                // A fresh view per step: Transformer caches lm_head transposed on its first Forward, which
                // would freeze the head's value and graph; aliases give each step its own cache and free it.
                using var view = AliasView(model);
                var logits = view.Forward(x);                                                       // [B, T, V]
                var loss = F.cross_entropy(logits.view(-1L, config.VocabSize), y.view(-1L));        // [B·T, V] vs [B·T]
                optimizer.zero_grad();
                loss.backward();
                nn.utils.clip_grad_norm_(parameters, schedule.GradClipNorm);
                optimizer.step();
                double l = loss.item<float>();
                if (step == 0) initialLoss = l;
                recent.Enqueue(l);
                if (recent.Count > 10) recent.Dequeue();
                intervalSum += l;
                intervalSteps++;
                if ((step + 1) % logEvery == 0 || step + 1 == schedule.Steps)
                {
                    double seconds = clock.Elapsed.TotalSeconds, cpu = (CpuTime() - cpuStart).TotalSeconds;
                    curve.Add(new LossPoint(step + 1, intervalSum / intervalSteps, seconds, cpu));
                    log?.Invoke($"step {step + 1}/{schedule.Steps}: loss {intervalSum / intervalSteps:F3} " +
                                $"({seconds:F0} s, {(step + 1) * schedule.TokensPerStep / seconds:F0} tokens/s; " +
                                $"CPU {cpu:F0} s, {(step + 1) * schedule.TokensPerStep / cpu:F0} tokens/CPU-s)");
                    intervalSum = 0;
                    intervalSteps = 0;
                }
            }
            return new TrainedModel(model, initialLoss, recent.Average(), curve, clock.Elapsed.TotalSeconds, (CpuTime() - cpuStart).TotalSeconds);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>User + system CPU time of this process (all its threads).</summary>
    private static TimeSpan CpuTime()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    /// <summary>
    /// Leaf parameters (requires_grad) in LLaMA's init, drawn in checkpoint order (embedding, layers,
    /// final norm, then lm_head when untied) from a private generator: torch.manual_seed would reseed the
    /// process-wide RNG under other code (tests run in parallel).
    /// </summary>
    private static Transformer InitialModel(ModelConfig c, double initStd, ulong seed)
    {
        using var gen = new Generator(seed);
        long d = c.HiddenSize;
        Parameter Normal(params long[] shape)
        {
            using var t = randn(shape, generator: gen);
            return new Parameter(t.mul(initStd)); // the product's handle moves into the Parameter (docs/toolchain.md 5)
        }
        Parameter Ones(long n) => new(ones(n));

        var embedding = Normal(c.VocabSize, d);
        var layers = c.Layers
            .Select(w => DecoderLayerWeights.Create(w, kind => LayerTensors.Shape(kind, w, c) is { } shape
                ? LayerTensors.IsNorm(kind) ? Ones(d) : Normal(shape)
                : null))
            .ToList();
        var norm = Ones(d);
        var lmHead = c.TieWordEmbeddings ? null : Normal(c.VocabSize, d);
        return new Transformer(c, embedding, norm, lmHead, layers);
    }

    /// <summary>A Transformer over aliases of <paramref name="m"/>'s tensors: gradients reach the parameters, Dispose frees only the aliases and caches.</summary>
    private static Transformer AliasView(Transformer m)
    {
        var layers = m.Layers.Select(l => l.Alias()).ToList();
        var embedding = m.Embedding.alias();
        // Tied: lm_head is the embedding itself, so the view must tie its alias too (null), not alias it twice.
        var lmHead = ReferenceEquals(m.LmHead, m.Embedding) ? null : m.LmHead.alias();
        return new Transformer(m.Config, embedding, m.FinalNorm.alias(), lmHead, layers);
    }

    /// <summary>A dense LLaMA config of one width for every layer, in fp32.</summary>
    public static ModelConfig DenseConfig(int hiddenSize, int layers, int heads, int kvHeads, int headDim, int intermediateSize,
        int vocabSize, bool tied, int maxPositions, int bosId, int? eosId) => new()
    {
        ModelType = "llama",
        HiddenSize = hiddenSize,
        VocabSize = vocabSize,
        HeadDim = headDim,
        NumAttentionHeads = heads,
        NumKeyValueHeads = kvHeads,
        IntermediateSize = intermediateSize,
        Layers = Enumerable.Range(0, layers).Select(_ => new LayerWidths(heads, kvHeads, intermediateSize, false, false)).ToList(),
        RmsNormEps = 1e-5,
        MaxPositionEmbeddings = maxPositions,
        TieWordEmbeddings = tied,
        BosTokenId = bosId,
        EosTokenId = eosId,
    };
}

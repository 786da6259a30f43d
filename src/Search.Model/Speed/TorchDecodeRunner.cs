using Search.Model.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Search.Model.Speed;

/// <summary>
/// Greedy batch-1 generation with our <see cref="Transformer"/> and its <see cref="KvCache"/>:
/// prefill computes logits for the last prompt position only, as llama.cpp does. Sets libtorch's
/// thread count for its lifetime and restores it on dispose.
/// </summary>
public sealed class TorchDecodeRunner : IDecodeRunner
{
    private readonly Transformer model;
    private readonly KvCache cache;
    private readonly int previousThreads;

    public string Runtime { get; }
    public int Threads { get; }

    public TorchDecodeRunner(Transformer model, int capacity, int threads)
    {
        TorchRuntime.Initialize();
        this.model = model;
        previousThreads = torch.get_num_threads();
        torch.set_num_threads(threads);
        Threads = threads;
        Runtime = $"TorchSharp {model.DType.ToString().ToLowerInvariant()} (libtorch CPU, KV cache {model.DType.ToString().ToLowerInvariant()})";
        cache = model.CreateKvCache(1, capacity);
    }

    public long Prefill(ReadOnlySpan<long> prompt)
    {
        cache.Clear();
        return Run(prompt.ToArray());
    }

    public long Step(long token) => Run([token]);

    private long Run(long[] ids)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var logits = model.ForwardCached(tensor(ids, [1, ids.Length], ScalarType.Int64).to(model.Device), cache, lastOnly: true); // [1, 1, V]
        return logits.argmax(-1).item<long>();
    }

    public void Dispose()
    {
        cache.Dispose();
        torch.set_num_threads(previousThreads);
    }
}

namespace Search.Model.Speed;

/// <summary>
/// One runtime's batch-1 greedy generation, as the speed benchmark times it: a prompt in one batch
/// (prefill), then one token per call reusing cached keys/values (decode). The same timing loop
/// drives every runtime, so their numbers differ only by what runs inside these calls.
/// </summary>
public interface IDecodeRunner : IDisposable
{
    /// <summary>What runs, with its precision settings (e.g. "TorchSharp float32").</summary>
    string Runtime { get; }

    /// <summary>Threads the runtime computes with.</summary>
    int Threads { get; }

    /// <summary>Forgets any earlier sequence, runs <paramref name="prompt"/> as one batch, returns the argmax next token.</summary>
    long Prefill(ReadOnlySpan<long> prompt);

    /// <summary>Appends <paramref name="token"/> at the next position; returns the argmax next token.</summary>
    long Step(long token);
}

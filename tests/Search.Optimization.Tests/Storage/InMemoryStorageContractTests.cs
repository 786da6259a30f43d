using Search.Optimization.Storage;

namespace Search.Optimization.Tests.Storage;

public sealed class InMemoryStorageContractTests : TrialStorageContract
{
    protected override ITrialStorage CreateFresh() => new InMemoryStorage();

    /// <summary>In memory, "reopening" is holding on to the same object.</summary>
    protected override ITrialStorage Reopen(ITrialStorage previous) => new NonDisposingStorage(previous);

    /// <summary>Another worker's handle on the same store is the same object: its one lock is what the workers share.</summary>
    protected override ITrialStorage Connect(ITrialStorage existing) => new NonDisposingStorage(existing);
}

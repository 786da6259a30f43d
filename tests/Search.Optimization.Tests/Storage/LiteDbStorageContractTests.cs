using Search.Optimization.Storage;

namespace Search.Optimization.Tests.Storage;

public sealed class LiteDbStorageContractTests : TrialStorageContract
{
    private readonly TempDirectory _directory = new();
    private int _files;

    protected override ITrialStorage CreateFresh() => new LiteDbStorage(_directory.File($"store{_files++}.db"));

    protected override ITrialStorage Reopen(ITrialStorage previous)
    {
        var path = ((LiteDbStorage)previous).FilePath;
        previous.Dispose();
        return new LiteDbStorage(path);
    }

    /// <summary>A second LiteDbStorage on the same file: another shared-mode connection, as a second worker process would open.</summary>
    protected override ITrialStorage Connect(ITrialStorage existing) => new LiteDbStorage(((LiteDbStorage)existing).FilePath);

    public override void Dispose()
    {
        base.Dispose();
        _directory.Dispose();
    }
}

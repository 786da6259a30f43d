using Search.Optimization.Storage;

namespace Search.Optimization.Tests.Storage;

/// <summary>The storage contract against PostgreSQL: each store in its own schema, dropped afterwards.</summary>
[SkipUnlessPostgres]
public sealed class PostgresStorageContractTests : TrialStorageContract
{
    private readonly List<string> _urls = [];

    protected override ITrialStorage CreateFresh()
    {
        var url = PostgresTestServer.UrlWithNewSchema();
        _urls.Add(url);
        return new PostgresStorage(url);
    }

    protected override ITrialStorage Reopen(ITrialStorage previous)
    {
        previous.Dispose();
        return Connect(previous);
    }

    /// <summary>Another connection pool on the same schema: what a worker on another machine opens.</summary>
    protected override ITrialStorage Connect(ITrialStorage existing) => new PostgresStorage(((PostgresStorage)existing).Url);

    public override void Dispose()
    {
        base.Dispose();
        foreach (var url in _urls) PostgresTestServer.DropSchemaOf(url);
    }
}

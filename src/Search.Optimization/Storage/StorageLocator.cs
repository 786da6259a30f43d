namespace Search.Optimization.Storage;

/// <summary>
/// Where a CLI's <c>--db</c>/<c>--storage</c> value points: a <c>postgresql://</c> (or
/// <c>postgres://</c>) URL opens PostgreSQL, anything else is a LiteDB file path.
/// </summary>
public static class StorageLocator
{
    /// <summary>
    /// Opens the store. <paramref name="readOnly"/>: nothing is created or written (a missing,
    /// empty, damaged or foreign file, or a database without a store, is a one-line
    /// <see cref="OptimizationInputException"/> and is left as it was).
    /// </summary>
    public static ITrialStorage Open(string dbPathOrUrl, bool readOnly) =>
        PostgresUrl.IsPostgresUrl(dbPathOrUrl) ? new PostgresStorage(dbPathOrUrl, readOnly) : new LiteDbStorage(dbPathOrUrl, readOnly);

    /// <summary>What may be printed for the location before (or without) opening it: the path, or the URL with its password masked.</summary>
    public static string Describe(string dbPathOrUrl) =>
        PostgresUrl.IsPostgresUrl(dbPathOrUrl) ? PostgresUrl.Mask(dbPathOrUrl) : Path.GetFullPath(dbPathOrUrl);
}

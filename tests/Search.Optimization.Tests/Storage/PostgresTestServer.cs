using Npgsql;
using Search.Optimization.Storage;

namespace Search.Optimization.Tests.Storage;

/// <summary>
/// The PostgreSQL server the tests may use: <c>PRUNESEARCH_TEST_PG</c>, a <c>postgresql://</c> URL
/// whose user may create schemas and roles (<c>.ci/run</c> starts a throwaway cluster and sets it).
/// Unset: every PostgreSQL test is reported as skipped. Each store a test opens lives in its own
/// schema, dropped when the test ends, so runs and tests never see each other's studies.
/// </summary>
internal static class PostgresTestServer
{
    public const string Variable = "PRUNESEARCH_TEST_PG";

    public static string? Url { get; } = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } url ? url : null;

    public const string SkipReason = "SKIPPED: set " + Variable + "=postgresql://user@host:port/db to run the PostgreSQL tests (.ci/run does)";

    /// <summary>The server URL with a fresh schema of its own.</summary>
    public static string UrlWithNewSchema() => WithParameter(Url!, "schema", "t_" + Guid.NewGuid().ToString("N"));

    public static string WithParameter(string url, string key, string value) =>
        url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + key + "=" + Uri.EscapeDataString(value);

    /// <summary>Runs SQL as the test user (schema and role set-up and clean-up).</summary>
    public static void Execute(string sql)
    {
        using var dataSource = NpgsqlDataSource.Create(PostgresUrl.Parse(Url!).Settings);
        using var command = dataSource.CreateCommand(sql);
        command.ExecuteNonQuery();
    }

    public static T Scalar<T>(string sql)
    {
        using var dataSource = NpgsqlDataSource.Create(PostgresUrl.Parse(Url!).Settings);
        using var command = dataSource.CreateCommand(sql);
        return (T)command.ExecuteScalar()!;
    }

    public static void DropSchemaOf(string url) => Execute($"DROP SCHEMA IF EXISTS {PostgresUrl.Parse(url).Schema} CASCADE");
}

/// <summary>A fact that needs a PostgreSQL server; reported as skipped (with how to enable it) where none is configured.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresTestServer.Url is null) Skip = PostgresTestServer.SkipReason;
    }
}

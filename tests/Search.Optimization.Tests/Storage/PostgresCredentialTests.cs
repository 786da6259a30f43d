using System.Net;
using System.Net.Sockets;
using Npgsql;
using Search.Optimization.Storage;

namespace Search.Optimization.Tests.Storage;

/// <summary>These tests set PGPASSWORD and HOME, so they run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    public const string Name = "process environment";
}

/// <summary>
/// Passwords from the URL, PGPASSWORD and ~/.pgpass; sslmode; and connection failures as one
/// line naming the masked URL, with the password nowhere in messages, stack text or stored rows.
/// The server must ask other roles than the test user for a password (scram on 127.0.0.1, as
/// <c>.ci/run</c> configures it); a role with a password is created for the class and dropped after.
/// </summary>
[Collection(EnvironmentCollection.Name)]
public sealed class PostgresCredentialTests : IDisposable
{
    // Characters that need percent-encoding in a URL, to prove decoding and masking.
    private const string Secret = "s3cr3t-pw@:/?&=x";
    private readonly string _role = "ps_secret_" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _schema = "t_" + Guid.NewGuid().ToString("N");
    private readonly TempDirectory _home = new();

    public PostgresCredentialTests()
    {
        if (PostgresTestServer.Url is null) return;
        var database = PostgresUrl.Parse(PostgresTestServer.Url).Settings.Database ?? "postgres";
        PostgresTestServer.Execute($"CREATE ROLE {_role} LOGIN PASSWORD '{Secret}'; GRANT CREATE ON DATABASE \"{database}\" TO {_role}");
    }

    public void Dispose()
    {
        _home.Dispose();
        if (PostgresTestServer.Url is null) return;
        NpgsqlConnection.ClearAllPools();
        var database = PostgresUrl.Parse(PostgresTestServer.Url).Settings.Database ?? "postgres";
        PostgresTestServer.Execute(
            $"DROP SCHEMA IF EXISTS {_schema} CASCADE; REVOKE CREATE ON DATABASE \"{database}\" FROM {_role}; DROP ROLE IF EXISTS {_role}");
    }

    /// <summary>The test server's host, port and database as this role, with the given password part and query.</summary>
    private string RoleUrl(string? password, string query = "")
    {
        var server = PostgresUrl.Parse(PostgresTestServer.Url!).Settings;
        var userInfo = _role + (password is null ? "" : ":" + Uri.EscapeDataString(password));
        return $"postgresql://{userInfo}@{server.Host}:{server.Port}/{server.Database}?schema={_schema}{query}";
    }

    private static void AssertOneLineWithoutSecret(Exception error, string expectedDisplay)
    {
        Assert.IsType<OptimizationInputException>(error);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains(expectedDisplay, error.Message);
        Assert.DoesNotContain(Secret, error.ToString());
        Assert.DoesNotContain(Uri.EscapeDataString(Secret), error.ToString());
    }

    [PostgresFact]
    public void Given_the_password_in_the_url_When_a_study_is_stored_Then_the_password_is_in_no_row_no_name_and_no_text()
    {
        var url = RoleUrl(Secret);
        using (var storage = StorageLocator.Open(url, readOnly: false))
        {
            Assert.Equal($"postgresql://{_role}:***@", storage.DisplayName[..(storage.DisplayName.IndexOf('@') + 1)]);
            Assert.DoesNotContain(Secret, storage.DisplayName + storage);
            storage.CreateOrOpenStudy(new StudyRecord("s", "/m", "sha256:1", "{}", null, "random", 0, storage.DisplayName, "1.0"));
            storage.TryCreateTrial("s", TestData.RunningTrial(0));
        }
        var everything = string.Join("\n", new[] { "store_schema", "studies", "queue", "trials", "study_tasks" }
            .Select(table => PostgresTestServer.Scalar<string>($"SELECT coalesce(string_agg(t::text, ' '), '') FROM {_schema}.{table} t")));
        Assert.Contains("sha256:1", everything);
        Assert.DoesNotContain(Secret, everything);
        Assert.DoesNotContain(Uri.EscapeDataString(Secret), everything);
    }

    [PostgresFact]
    public void Given_a_wrong_password_When_opened_Then_one_line_names_the_masked_url_and_says_authentication_failed()
    {
        var url = RoleUrl(Secret + "-wrong");
        var error = Assert.ThrowsAny<Exception>(() => StorageLocator.Open(url, readOnly: false));
        AssertOneLineWithoutSecret(error, PostgresUrl.Parse(url).Display);
        Assert.Contains("password authentication failed", error.Message);
        Assert.DoesNotContain("-wrong", error.ToString());
    }

    [PostgresFact]
    public void Given_no_password_in_the_url_When_PGPASSWORD_is_set_Then_it_is_used()
    {
        var url = RoleUrl(null);
        WithEnvironment(("PGPASSWORD", Secret), ("HOME", _home.Path), ("PGPASSFILE", null), () =>
        {
            using var storage = StorageLocator.Open(url, readOnly: false);
            Assert.Empty(storage.GetStudies());
        });
        WithEnvironment(("PGPASSWORD", null), ("HOME", _home.Path), ("PGPASSFILE", null), () =>
            AssertOneLineWithoutSecret(Assert.ThrowsAny<Exception>(() => StorageLocator.Open(url, readOnly: false)), PostgresUrl.Parse(url).Display));
    }

    [PostgresFact]
    public void Given_no_password_in_the_url_When_home_has_a_pgpass_file_Then_it_is_used()
    {
        var server = PostgresUrl.Parse(PostgresTestServer.Url!).Settings;
        var pgpass = Path.Combine(_home.Path, ".pgpass");
        File.WriteAllText(pgpass, $"{server.Host}:{server.Port}:*:{_role}:{Secret.Replace(":", "\\:")}\n");
        // libpq ignores a password file others can read.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(pgpass, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        WithEnvironment(("PGPASSWORD", null), ("HOME", _home.Path), ("PGPASSFILE", null), () =>
        {
            using var storage = StorageLocator.Open(RoleUrl(null), readOnly: false);
            Assert.Empty(storage.GetStudies());
        });
    }

    [PostgresFact]
    public void Given_sslmode_require_and_a_server_without_TLS_When_opened_Then_it_is_refused_and_sslmode_disable_connects()
    {
        var required = RoleUrl(Secret, "&sslmode=require");
        var error = Assert.ThrowsAny<Exception>(() => StorageLocator.Open(required, readOnly: false));
        AssertOneLineWithoutSecret(error, PostgresUrl.Parse(required).Display);
        Assert.Contains("SSL", error.Message, StringComparison.OrdinalIgnoreCase);
        using var plain = StorageLocator.Open(RoleUrl(Secret, "&sslmode=disable"), readOnly: false);
        Assert.Empty(plain.GetStudies());
    }

    [PostgresFact]
    public void Given_nothing_listening_or_an_unknown_host_or_database_When_opened_Then_each_is_one_line_naming_the_masked_url()
    {
        var server = PostgresUrl.Parse(PostgresTestServer.Url!).Settings;
        var refused = $"postgresql://{_role}:{Uri.EscapeDataString(Secret)}@127.0.0.1:{FreePort()}/db?connect_timeout=5";
        var unknownHost = $"postgresql://{_role}:{Uri.EscapeDataString(Secret)}@no-such-host.invalid/db?connect_timeout=5";
        var noDatabase = $"postgresql://{_role}:{Uri.EscapeDataString(Secret)}@{server.Host}:{server.Port}/no_such_db_{Guid.NewGuid():N}";
        foreach (var url in new[] { refused, unknownHost, noDatabase })
            AssertOneLineWithoutSecret(Assert.ThrowsAny<Exception>(() => StorageLocator.Open(url, readOnly: true)), PostgresUrl.Parse(url).Display);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void WithEnvironment((string Name, string? Value) a, (string Name, string? Value) b, (string Name, string? Value) c, Action body)
    {
        var saved = new[] { a, b, c }.Select(v => (v.Name, Value: Environment.GetEnvironmentVariable(v.Name))).ToList();
        try
        {
            foreach (var (name, value) in new[] { a, b, c }) Environment.SetEnvironmentVariable(name, value);
            NpgsqlConnection.ClearAllPools();
            body();
        }
        finally
        {
            foreach (var (name, value) in saved) Environment.SetEnvironmentVariable(name, value);
        }
    }
}

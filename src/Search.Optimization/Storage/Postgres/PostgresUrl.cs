using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Search.Optimization.Storage;

/// <summary>
/// A <c>postgresql://[user[:password]@]host[:port][/database][?param=value&amp;…]</c> URL (libpq's
/// form; <c>postgres://</c> too) turned into Npgsql settings. Npgsql does not parse URLs itself.
/// <para>
/// The password is a secret: it may come from the URL, and when the URL has none Npgsql looks in
/// <c>PGPASSWORD</c>, then the file named by <c>PGPASSFILE</c>, then <c>~/.pgpass</c>. Only
/// <see cref="Display"/> (password replaced by <c>***</c>) may be printed, logged or stored;
/// <see cref="Mask"/> does the same for a raw string that failed to parse.
/// </para>
/// </summary>
public sealed partial class PostgresUrl
{
    public const string DefaultSchema = "prunesearch";

    /// <summary>Query parameters understood, libpq's names. <c>schema</c> is ours: the PostgreSQL schema holding the store's tables.</summary>
    private static readonly string[] KnownParameters =
        ["sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout", "application_name", "host", "port", "user", "password", "dbname", "schema"];

    private PostgresUrl(NpgsqlConnectionStringBuilder settings, string schema, string display)
    {
        Settings = settings;
        Schema = schema;
        Display = display;
    }

    /// <summary>Connection settings, password included: never print these.</summary>
    internal NpgsqlConnectionStringBuilder Settings { get; }

    /// <summary>PostgreSQL schema holding the store's tables (<c>?schema=</c>, default <see cref="DefaultSchema"/>).</summary>
    public string Schema { get; }

    /// <summary>The URL with any password replaced by <c>***</c>: the only form that may appear in output, logs or records.</summary>
    public string Display { get; }

    public override string ToString() => Display;

    public static bool IsPostgresUrl(string text) =>
        text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses the URL; a malformed one is a one-line error that shows it with the password masked.</summary>
    public static PostgresUrl Parse(string url)
    {
        if (!IsPostgresUrl(url)) throw Bad(url, "it must start with postgresql:// or postgres://");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.UserInfo is null)
            throw Bad(url, "not a valid URL (one host only; percent-encode '@', ':' and '/' in the user name or password)");

        var settings = new NpgsqlConnectionStringBuilder
        {
            ApplicationName = "prunesearch",
            // Never let the password back out of the connection string.
            PersistSecurityInfo = false,
        };
        var user = "";
        string? password = null;
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':');
            user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0) password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        }
        var host = uri.IdnHost.Trim('[', ']');
        var port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port;
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        var schema = DefaultSchema;
        var shown = new List<string>();

        foreach (var (key, value) in Query(uri.Query, url))
        {
            switch (key)
            {
                case "sslmode": settings.SslMode = SslModeOf(value, url); break;
                case "sslrootcert": settings.RootCertificate = value; break;
                case "sslcert": settings.SslCertificate = value; break;
                case "sslkey": settings.SslKey = value; break;
                case "connect_timeout": settings.Timeout = PositiveInt(value, key, url); break;
                case "application_name": settings.ApplicationName = value; break;
                case "host": host = value; break;
                case "port": port = PositiveInt(value, key, url); break;
                case "user": user = value; break;
                case "password": password = value; break;
                case "dbname": database = value; break;
                case "schema": schema = SchemaName(value, url); break;
                default:
                    throw Bad(url, $"unknown parameter '{key}' (known: {string.Join(", ", KnownParameters)})");
            }
            if (key != "password") shown.Add($"{key}={Uri.EscapeDataString(value)}");
        }
        if (host.Length == 0) host = "localhost";
        settings.Host = host;
        settings.Port = port;
        if (user.Length > 0) settings.Username = user;
        if (database.Length > 0) settings.Database = database;
        // Null leaves Npgsql to look in PGPASSWORD, PGPASSFILE and ~/.pgpass.
        if (password is not null) settings.Password = password;

        var userPart = user.Length == 0 ? "" : Uri.EscapeDataString(user) + (password is null ? "" : ":***") + "@";
        var hostPart = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
        var display = $"postgresql://{userPart}{hostPart}:{port.ToString(CultureInfo.InvariantCulture)}/{Uri.EscapeDataString(database)}"
                      + (shown.Count > 0 ? "?" + string.Join("&", shown) : "");
        return new PostgresUrl(settings, schema, display);
    }

    /// <summary>A raw URL with the password after <c>user:</c> and any <c>password=</c> parameter replaced by <c>***</c>.</summary>
    public static string Mask(string url) => QueryPassword().Replace(UserInfoPassword().Replace(url, "$1***@"), "$1***");

    [GeneratedRegex(@"^([a-zA-Z]+://[^/@:?#]*:)[^/?#]*@")]
    private static partial Regex UserInfoPassword();

    [GeneratedRegex(@"([?&]password=)[^&#]*", RegexOptions.IgnoreCase)]
    private static partial Regex QueryPassword();

    private static IEnumerable<(string Key, string Value)> Query(string query, string url)
    {
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0) throw Bad(url, $"parameter '{Mask(pair)}' has no value");
            yield return (Uri.UnescapeDataString(pair[..eq]).ToLowerInvariant(), Uri.UnescapeDataString(pair[(eq + 1)..]));
        }
    }

    private static SslMode SslModeOf(string value, string url) => value.ToLowerInvariant() switch
    {
        "disable" => SslMode.Disable,
        "allow" => SslMode.Allow,
        "prefer" => SslMode.Prefer,
        "require" => SslMode.Require,
        "verify-ca" => SslMode.VerifyCA,
        "verify-full" => SslMode.VerifyFull,
        _ => throw Bad(url, $"sslmode '{value}' is not one of disable, allow, prefer, require, verify-ca, verify-full"),
    };

    private static int PositiveInt(string value, string key, string url) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw Bad(url, $"{key} must be a positive whole number, got '{value}'");

    private static string SchemaName(string value, string url) =>
        SchemaPattern().IsMatch(value) ? value : throw Bad(url, $"schema '{value}' must be lower-case letters, digits and '_' (at most 63, not starting with a digit)");

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaPattern();

    private static OptimizationInputException Bad(string url, string why) => new($"study store URL {Mask(url)}: {why}");
}

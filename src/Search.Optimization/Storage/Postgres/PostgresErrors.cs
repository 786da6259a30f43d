using System.Net.Sockets;
using Npgsql;

namespace Search.Optimization.Storage;

/// <summary>
/// Database trouble a user can act on (unreachable server, wrong password, missing database, no
/// permission), as one line naming the store by its masked URL. Npgsql's messages carry host and
/// user names, never the password; the URL itself is only ever shown masked.
/// </summary>
internal static class PostgresErrors
{
    /// <summary>
    /// Network and server-availability failures (any time), and what the server refuses when a
    /// worker connects: authentication (class 28), unknown database (3D000), no permission to
    /// create the store (42501), too many connections (53300), shutdown (57P0x), connection (08).
    /// </summary>
    public static bool IsConnectionProblem(Exception e) => e switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal)
                                || pg.SqlState.StartsWith("28", StringComparison.Ordinal)
                                || pg.SqlState.StartsWith("57P", StringComparison.Ordinal)
                                || pg.SqlState is "3D000" or "42501" or "53300",
        NpgsqlException => true, // not from the server: socket, TLS, timeout
        SocketException or TimeoutException => true,
        _ => false,
    };

    public static OptimizationInputException Unreachable(string display, Exception e) =>
        new($"cannot use study store {display}: {Reason(e)}", e);

    private static string Reason(Exception e)
    {
        if (e is PostgresException pg) return OneLine($"{pg.MessageText} ({pg.SqlState})");
        // Npgsql wraps socket and TLS errors; the innermost message says what happened.
        var inner = e;
        while (inner.InnerException is { } next) inner = next;
        var outer = OneLine(e.Message);
        var innermost = OneLine(inner.Message);
        return inner == e || outer.Contains(innermost, StringComparison.Ordinal) ? outer : $"{outer}: {innermost}";
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}

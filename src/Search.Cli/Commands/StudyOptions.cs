using System.CommandLine;

namespace Search.Cli.Commands;

/// <summary>Options naming a study and its LiteDB file.</summary>
public static class StudyOptions
{
    public const string DefaultDb = "prunesearch.db";

    public static Option<string> Study() => new("--study")
    {
        Description = "study name (one database file holds many studies)",
        DefaultValueFactory = _ => "default",
    };

    public static Option<string> Db() => new("--db", "--storage")
    {
        Description = "the trial store: a LiteDB file (created if missing; workers on one machine share it), or a " +
                      "postgresql://user@host[:port]/db[?sslmode=...] URL for workers on several machines (password from " +
                      "PGPASSWORD or ~/.pgpass; never printed)",
        DefaultValueFactory = _ => DefaultDb,
    };
}

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

    public static Option<string> Db() => new("--db")
    {
        Description = "LiteDB file holding the studies (created if missing; shared by cooperating workers)",
        DefaultValueFactory = _ => DefaultDb,
    };
}

using System.CommandLine;

namespace Search.Cli.Commands;

/// <summary>
/// The <c>--db</c> option of the reading commands (report, compare, export): several stores may be
/// named; they are read by <see cref="Search.Application.Stores.StudyStores"/>.
/// </summary>
public static class ReportStores
{
    public static Option<string[]> Dbs() => new("--db")
    {
        Description = "store(s) holding the studies: LiteDB files or postgresql:// URLs; repeat to read several (e.g. results/*/study.db)",
        DefaultValueFactory = _ => [StudyOptions.DefaultDb],
        AllowMultipleArgumentsPerToken = true,
    };
}

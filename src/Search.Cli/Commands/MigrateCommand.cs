using System.CommandLine;
using Search.Application.Stores;

namespace Search.Cli.Commands;

/// <summary>
/// <c>prunesearch migrate --from SRC --to DST</c>: copies studies between stores (a LiteDB file and a
/// PostgreSQL database, either way) losslessly — record, queue, every trial with its params, scores,
/// attributes, timestamps and worker. The source is opened read-only; a study that already exists
/// in the destination is refused with one line.
/// </summary>
public static class MigrateCommand
{
    public static Command Create(TextWriter output)
    {
        var from = new Option<string>("--from") { Description = "source store: a LiteDB file or a postgresql:// URL (opened read-only)", Required = true };
        var to = new Option<string>("--to") { Description = "destination store: a LiteDB file (created if missing) or a postgresql:// URL", Required = true };
        var study = new Option<string?>("--study") { Description = "copy only this study (default: all)" };
        var cmd = new Command("migrate", "Copy studies between a LiteDB file and a PostgreSQL database (either way), losslessly.") { from, to, study };
        cmd.SetAction(parse =>
        {
            StoreCopies.Run(output, parse.GetValue(from)!, parse.GetValue(to)!, parse.GetValue(study));
            return 0;
        });
        return cmd;
    }
}

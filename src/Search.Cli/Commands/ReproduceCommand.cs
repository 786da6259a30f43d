using System.CommandLine;
using Search.Application.Studies;

namespace Search.Cli.Commands;

/// <summary>
/// <c>prunesearch reproduce experiments/NAME</c>: the options → <see cref="Reproduction.Run"/>
/// (the experiment's searches into results/NAME/study.db, resuming what is there, then its report).
/// </summary>
public static class ReproduceCommand
{
    public static Command Create(TextWriter output)
    {
        var experiment = new Argument<string>("experiment") { Description = "experiments/NAME.json (the .json may be left off)" };
        var results = new Option<string?>("--results") { Description = "output folder (default: results/NAME under the repository root of the experiment file)" };
        var reportOnly = new Option<bool>("--report-only") { Description = "only rewrite the report from the stored study (no model, no search)" };
        var dataDir = CommonOptions.DataDir();
        var threads = CommonOptions.Threads();
        var cmd = new Command("reproduce", "Run an experiment file (model, protocol, space, sampler, seed, trials) into results/NAME/study.db " +
                                           "and write its report; rerunning resumes the stored study instead of starting over.")
        {
            experiment, results, reportOnly, dataDir, threads,
        };
        cmd.SetAction(parse =>
        {
            Reproduction.Run(output, new ReproduceRequest(parse.GetValue(experiment)!, parse.GetValue(results), parse.GetValue(reportOnly),
                parse.GetValue(dataDir), parse.GetValue(threads)));
            return 0;
        });
        return cmd;
    }
}

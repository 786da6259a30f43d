using System.CommandLine;
using Search.Cli.Commands;
using Search.Model;

namespace Search.Cli;

/// <summary>
/// The <c>prunesearch</c> command tree. Commands are thin: parse → options record → library call.
/// Every user error is one line on stderr and exit code 2; an unexpected failure is one line and
/// exit code 1 (set PRUNESEARCH_DEBUG=1 for the stack trace).
/// </summary>
public static class CliApp
{
    public const int UserError = 2;
    public const int InternalError = 1;
    /// <summary>A study ran but every trial failed (the first failure's reason is printed).</summary>
    public const int StudyFailed = 3;

    public static RootCommand Build(TextWriter output)
    {
        var root = new RootCommand(
            "PruneSearch: search structured-pruning configurations (calibration data, importance-metric mixture, " +
            "per-layer ratios) for LLaMA-family models, score them by perplexity, keep every trial in LiteDB.");
        root.Add(EvalCommand.Create(output));
        root.Add(PruneCommand.Create(output));
        root.Add(SearchCommand.Create(output));
        root.Add(TrialsCommand.Create(output));
        root.Add(TrialsCommand.CreateBest(output));
        root.Add(ReportCommand.Create(output));
        root.Add(CompareCommand.Create(output));
        root.Add(ExportCommand.Create(output));
        root.Add(BenchCommand.Create(output));
        root.Add(ReproduceCommand.Create(output));
        root.Add(InitModelCommand.Create(output));
        root.Add(ZooCommand.Create(output));
        root.Add(MigrateCommand.Create(output));
        return root;
    }

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        try
        {
            var root = Build(output);
            var parse = root.Parse(args);
            // A malformed command line (unknown flag, non-numeric --ratio, a flag given twice) is a user
            // error like any other: one line and exit 2, not the parser's multi-line help dump.
            if (parse.Errors.Count > 0 && !args.Any(a => a is "-h" or "--help" or "-?"))
            {
                error.WriteLine("error: " + OneLine(parse.Errors[0].Message) + " (see --help)");
                return UserError;
            }
            return parse.Invoke(new InvocationConfiguration
            {
                Output = output,
                Error = error,
                EnableDefaultExceptionHandler = false,
            });
        }
        catch (Exception e)
        {
            var inner = Unwrap(e);
            if (Environment.GetEnvironmentVariable("PRUNESEARCH_DEBUG") == "1") error.WriteLine(inner.ToString());
            if (inner is UserInputException or Search.Optimization.OptimizationInputException or Search.Reporting.ReportInputException or Search.Records.RecordInputException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
            {
                error.WriteLine("error: " + OneLine(inner.Message));
                return UserError;
            }
            if (inner is Search.Objective.StudyFailedException)
            {
                error.WriteLine("error: " + OneLine(inner.Message));
                return StudyFailed;
            }
            error.WriteLine($"error: {inner.GetType().Name}: {OneLine(inner.Message)}");
            return InternalError;
        }
    }

    private static Exception Unwrap(Exception e)
    {
        while (e is AggregateException { InnerException: not null } or System.Reflection.TargetInvocationException { InnerException: not null })
            e = e.InnerException!;
        if (e is TypeInitializationException { InnerException: not null } t) return Unwrap(t.InnerException!);
        return e;
    }

    private static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();
}
